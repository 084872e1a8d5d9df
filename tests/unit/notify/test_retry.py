"""Retry policy: schedule with jitter, Retry-After honoured and capped, permanent errors stop."""

from __future__ import annotations

import random

from services.notify.retry import GiveUp, RetryAt, RetryPolicy

POLICY = RetryPolicy(schedule=(10.0, 100.0, 1000.0), jitter=0.2, retry_after_max_s=500.0)


def test_delays_follow_the_schedule_within_jitter() -> None:
    rand = random.Random(7)
    for attempt, base in enumerate(POLICY.schedule, start=1):
        for _ in range(50):
            decision = POLICY.decide(attempt, False, "503", rand=rand)
            assert isinstance(decision, RetryAt)
            assert base * 0.8 <= decision.delay_s <= base * 1.2


def test_jitter_spreads_retries() -> None:
    rand = random.Random(1)
    delays = {round(POLICY.decide(1, False, "x", rand=rand).delay_s, 3) for _ in range(20)}  # type: ignore[union-attr]
    assert len(delays) > 10


def test_gives_up_after_last_attempt() -> None:
    assert POLICY.max_attempts == 4
    decision = POLICY.decide(4, False, "receiver answered 503")
    assert isinstance(decision, GiveUp)
    assert "4 attempts" in decision.reason


def test_permanent_errors_are_not_retried() -> None:
    assert POLICY.decide(1, True, "receiver answered 404") == GiveUp("receiver answered 404")


def test_retry_after_is_honoured_and_capped() -> None:
    no_jitter = RetryPolicy(schedule=(10.0, 10.0), jitter=0.0, retry_after_max_s=500.0)
    assert no_jitter.decide(1, False, "429", retry_after_s=120.0) == RetryAt(120.0)
    assert no_jitter.decide(1, False, "429", retry_after_s=5.0) == RetryAt(10.0)
    assert no_jitter.decide(1, False, "429", retry_after_s=86_400.0) == RetryAt(500.0)


def test_default_schedule_spreads_over_about_a_day() -> None:
    from services.runtime.settings import Settings

    total = sum(Settings().notify_retry_schedule_seconds)
    assert 20 * 3600 <= total <= 36 * 3600
