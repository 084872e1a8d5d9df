"""Structured JSON logs for every service; ids travel in ``extra``, secrets never do.

Redaction happens in the formatter, on the finished record, so it covers the message, its
arguments, every ``extra`` field (nested too) and tracebacks alike, whoever logged them (our
code or a library): fields whose name says "secret" are blanked, and values that look like a
Herald API key, a ``whsec_`` signing secret, an ``Authorization`` header, a bearer token or
a password in a URL are masked wherever they appear. It works on the values before they are
serialised, so a mask can never break the JSON escaping of a line.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from datetime import UTC, datetime
from typing import Any

_STANDARD = set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {
    "message",
    "asctime",
    "taskName",
    "color_message",
}

REDACTED = "[REDACTED]"

# Field names whose value is a secret whatever it looks like.
_SECRET_KEY = re.compile(r"secret|password|passwd|token|api[_-]?key|authorization|credential", re.IGNORECASE)

# Values that are secrets wherever they appear in text; group 1 (when present) is kept.
_SECRET_PATTERNS: tuple[re.Pattern[str], ...] = (
    # Standard Webhooks signing secrets.
    re.compile(r"whsec_[A-Za-z0-9+/=_-]+"),
    # Herald API keys (hk_ + urlsafe base64; the demo's hk_demo_...).
    re.compile(r"\bhk_[A-Za-z0-9_-]{8,}"),
    # Authorization headers in any rendering: "Authorization: Bearer x", "'authorization': 'x'", "authorization=x".
    re.compile(r"""((?:proxy-)?authorization["']?\s*[:=]\s*["']?)(?:(?:bearer|basic|token)\s+)?[^\s"',}]+""", re.I),
    # A bare bearer token.
    re.compile(r"(\bbearer\s+)[A-Za-z0-9._~+/=-]+", re.IGNORECASE),
    # Credentials in URLs: scheme://user:password@host keeps the user.
    re.compile(r"(\b[a-z][a-z0-9+.-]*://[^\s:/@]*:)[^\s@/]+(?=@)", re.IGNORECASE),
    # key=value / "key": "value" pairs named like secrets (api_key=..., password: ...).
    re.compile(
        r"""((?:secret|password|passwd|api[_-]?key|access[_-]?token|token)["']?\s*[:=]\s*["']?)[^\s"',}&]+""",
        re.IGNORECASE,
    ),
)


def redact(text: str) -> str:
    """``text`` with every secret-looking value replaced by ``[REDACTED]``."""
    for pattern in _SECRET_PATTERNS:
        text = pattern.sub(lambda m: (m.group(1) if m.groups() and m.group(1) else "") + REDACTED, text)
    return text


def _clean(value: Any, key: str = "") -> Any:
    """A JSON-ready copy of ``value`` with secret-named fields blanked and every string redacted."""
    if key and value is not None and _SECRET_KEY.search(key):
        return REDACTED
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {str(k): _clean(v, str(k)) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_clean(v) for v in value]
    return redact(str(value))  # reprs of objects (a request, a settings model) may hold secrets


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message and any ``extra`` fields, redacted."""

    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "service": self.service,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for key, value in record.__dict__.items():
            if key not in _STANDARD and not key.startswith("_"):
                out[key] = value
        if record.exc_info:
            out["exc"] = self.formatException(record.exc_info)
        elif record.stack_info:
            out["stack"] = record.stack_info
        return json.dumps(_clean(out), ensure_ascii=False)


def configure_logging(service: str, level: str = "INFO") -> None:
    """Send every log record to stderr as JSON; quieten chatty client libraries."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter(service))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for noisy in ("kafka", "aiokafka", "faust", "mode", "uvicorn.access", "httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
