"""Our signatures verify with the reference Standard Webhooks library, and only when intact."""

from __future__ import annotations

import time

import pytest
from standardwebhooks import Webhook, WebhookVerificationError

from services.notify import signing


def test_signature_verifies_with_standardwebhooks() -> None:
    secret = signing.new_secret()
    body = b'{"type":"alert.created"}'
    headers = signing.headers(secret, "al_123", int(time.time()), body)
    assert Webhook(secret).verify(body, headers) == {"type": "alert.created"}


@pytest.mark.parametrize("tamper", ["body", "id", "secret"])
def test_tampering_breaks_the_signature(tamper: str) -> None:
    secret = signing.new_secret()
    body = b'{"a":1}'
    headers = signing.headers(secret, "al_1", int(time.time()), body)
    if tamper == "body":
        body = b'{"a":2}'
    elif tamper == "id":
        headers["webhook-id"] = "al_2"
    else:
        secret = signing.new_secret()
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(body, headers)


def test_secrets_are_fresh_and_prefixed() -> None:
    a, b = signing.new_secret(), signing.new_secret()
    assert a != b and a.startswith("whsec_")


def test_during_rotation_both_secrets_verify() -> None:
    old, new = signing.new_secret(), signing.new_secret()
    body = b'{"a":1}'
    headers = signing.headers((new, old), "al_1", int(time.time()), body)
    assert len(headers["webhook-signature"].split(" ")) == 2
    Webhook(old).verify(body, headers)
    Webhook(new).verify(body, headers)
