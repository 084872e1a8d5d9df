"""Feed polling backoff: doubles per failure, capped, never shorter than the interval or Retry-After."""

from __future__ import annotations

import pytest

from services.ingest.poller import backoff_seconds


@pytest.mark.parametrize(
    ("interval", "failures", "cap", "retry_after", "expected"),
    [
        (60, 0, 3600, None, 60),
        (60, 1, 3600, None, 120),
        (60, 3, 3600, None, 480),
        (60, 10, 3600, None, 3600),
        (7200, 2, 3600, None, 7200),  # a cap below the interval never polls more often than asked
        (60, 1, 3600, 900, 900),
        (60, 0, 3600, 900, 60),  # success: Retry-After plays no part
    ],
)
def test_backoff(interval: float, failures: int, cap: float, retry_after: float | None, expected: float) -> None:
    assert backoff_seconds(interval, failures, cap, retry_after) == expected
