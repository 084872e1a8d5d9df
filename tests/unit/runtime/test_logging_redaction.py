"""JSON logs never carry secrets: API keys, signing secrets, Authorization headers, URL passwords."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from services.notify.signing import new_secret
from services.runtime.logging import REDACTED, JsonFormatter, redact

API_KEY = "hk_Zq3vX9c2Lm8Rt5Yw1Pk7Hd4Nf6Gs0Ja2Bx_-Qe"
SIGNING = "whsec_MfKQ9r8GKYqXfdZ1W3v7u+2bU9k/aQ0BKkZoXqL1nYs="


@pytest.fixture
def logged() -> Iterator[tuple[logging.Logger, io.StringIO]]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter("test"))
    logger = logging.getLogger("herald.test.redaction")
    logger.handlers[:] = [handler]
    logger.propagate = False
    logger.setLevel(logging.DEBUG)
    yield logger, stream
    logger.handlers.clear()


def lines(stream: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        (f"created key {API_KEY} for tenant default", API_KEY),
        ("demo key hk_demo_abcdefghijklmnop", "hk_demo_abcdefghijklmnop"),
        (f"subscription secret {SIGNING}", SIGNING),
        ("headers: {'Authorization': 'Bearer s3cr3t-t0ken.value'}", "s3cr3t-t0ken.value"),
        ('{"authorization": "Basic dXNlcjpwYXNz"}', "dXNlcjpwYXNz"),
        ("Authorization: Bearer abc.def.ghi", "abc.def.ghi"),
        ("retrying with bearer QWERTY123456", "QWERTY123456"),
        ("connecting to redis://default:hunter2pass@redis:6379/0", "hunter2pass"),
        ("sasl config password=pa55w0rd-long host=kafka", "pa55w0rd-long"),
        ("api_key=AKIA0123456789ABCDEF rest", "AKIA0123456789ABCDEF"),
    ],
)
def test_redact_masks_secret_looking_values(text: str, secret: str) -> None:
    out = redact(text)
    assert secret not in out
    assert REDACTED in out


@pytest.mark.parametrize(
    "text",
    [
        "article 3f2a9c01 classified with topics ['evacuation']",
        "alert al_3f2a9c01 delivered to https://example.org/hook in 12 ms",
        "redis://redis:6379/0 reachable",
        "the token bucket is full",
    ],
)
def test_redact_leaves_ordinary_text_alone(text: str) -> None:
    assert redact(text) == text


def test_real_generated_secret_is_masked(logged: tuple[logging.Logger, io.StringIO]) -> None:
    logger, stream = logged
    secret = new_secret()
    logger.info("subscription created with %s", secret)
    assert secret not in stream.getvalue()
    assert lines(stream)[0]["msg"] == f"subscription created with {REDACTED}"


def test_extra_fields_named_like_secrets_are_blanked(logged: tuple[logging.Logger, io.StringIO]) -> None:
    logger, stream = logged
    logger.info(
        "subscription created",
        extra={
            "subscription_id": "sub_123",
            "secret": "anything-at-all",
            "api_key": "plain-looking-value",
            "request": {"headers": {"authorization": "xyz-opaque", "content-type": "application/json"}},
        },
    )
    record = lines(stream)[0]
    assert record["subscription_id"] == "sub_123"
    assert record["secret"] == REDACTED
    assert record["api_key"] == REDACTED
    assert record["request"] == {"headers": {"authorization": REDACTED, "content-type": "application/json"}}
    for value in ("anything-at-all", "plain-looking-value", "xyz-opaque"):
        assert value not in stream.getvalue()


def test_objects_and_tracebacks_are_redacted(logged: tuple[logging.Logger, io.StringIO]) -> None:
    logger, stream = logged

    class Request:
        def __repr__(self) -> str:
            return f"Request(headers={{'Authorization': 'Bearer {API_KEY}'}})"

    try:
        raise RuntimeError(f"webhook refused secret {SIGNING}")
    except RuntimeError:
        logger.exception("delivery failed", extra={"request": Request(), "alert_id": "al_1"})
    text = stream.getvalue()
    assert API_KEY not in text and SIGNING not in text
    record = lines(stream)[0]  # still one valid JSON object per line
    assert record["alert_id"] == "al_1"
    assert REDACTED in str(record["exc"])
    assert REDACTED in str(record["request"])


def test_masking_never_breaks_json_escaping(logged: tuple[logging.Logger, io.StringIO]) -> None:
    logger, stream = logged
    logger.warning('header authorization=\\"%s\\" and "quoted" \\ backslash', API_KEY)
    [record] = lines(stream)
    assert API_KEY not in str(record["msg"])
