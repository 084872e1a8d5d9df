"""Build dead-letter records: the original bytes plus the reason, attempts and service."""

from __future__ import annotations

from schemas.models import DeadLetter

MAX_ORIGINAL_CHARS = 100_000


def dead_letter(
    *, topic: str, key: bytes | None, value: bytes | None, error: str, service: str, attempts: int = 1
) -> bytes:
    """The JSON value of a DLQ record; huge originals are truncated so the DLQ itself stays writable."""
    original = (value or b"").decode("utf-8", errors="replace")
    if len(original) > MAX_ORIGINAL_CHARS:
        original = original[:MAX_ORIGINAL_CHARS] + f"...[truncated, {len(value or b'')} bytes]"
    record = DeadLetter(
        original_topic=topic,
        original_key=key.decode("utf-8", errors="replace") if key is not None else None,
        original_value=original,
        error=error[:2_000],
        attempts=attempts,
        service=service,
    )
    return record.model_dump_json().encode()
