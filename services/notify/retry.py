"""Retry policy (pure): given an attempt number and a failure, retry after a delay or give up."""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True)
class RetryAt:
    """Try again after ``delay_s`` seconds."""

    delay_s: float


@dataclass(frozen=True)
class GiveUp:
    """Stop: the alert goes to the dead-letter topic."""

    reason: str


Decision = RetryAt | GiveUp


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential-ish schedule with jitter; ``schedule[i]`` is the delay before retry ``i + 1``.

    A receiver's ``Retry-After`` is honoured when it asks for longer than the schedule (capped
    at ``retry_after_max_s`` so a hostile receiver cannot park an alert forever).
    """

    schedule: tuple[float, ...]
    jitter: float = 0.2
    retry_after_max_s: float = 3_600.0

    @property
    def max_attempts(self) -> int:
        """The first attempt plus one per schedule entry."""
        return len(self.schedule) + 1

    def decide(
        self,
        attempt: int,
        permanent: bool,
        reason: str,
        retry_after_s: float | None = None,
        rand: random.Random | None = None,
    ) -> Decision:
        """What to do after failed attempt number ``attempt`` (1-based)."""
        if permanent:
            return GiveUp(reason)
        if attempt >= self.max_attempts:
            return GiveUp(f"{reason} (gave up after {attempt} attempts)")
        base = self.schedule[attempt - 1]
        spread = base * self.jitter
        delay = base + (rand or random).uniform(-spread, spread) if spread > 0 else base
        if retry_after_s is not None:
            delay = max(delay, min(retry_after_s, self.retry_after_max_s))
        return RetryAt(max(0.0, delay))
