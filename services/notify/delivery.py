"""Deliver queued work: claim due jobs from Redis, send them concurrently, record, retry or give up.

The deliver agent only enqueues (durably, in Redis) and wakes the dispatcher; sends run here as
independent tasks, bounded globally and per subscription, so a slow or dead endpoint holds at
most a few slots and never delays anyone else's alerts.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

import redis.asyncio as aioredis
from redis.asyncio.client import Pipeline
from redis.exceptions import RedisError

from schemas.subscriptions import DeliveryRecord, Outcome
from services.notify.channels import Channel
from services.notify.exceptions import DeliveryError, PermanentDeliveryError
from services.notify.metrics import NotifyWorkerMetrics
from services.notify.queue import FLUSH_PREFIX, Claimed, DeliveryQueue, Job
from services.notify.retry import GiveUp, RetryPolicy
from services.notify.subscriptions import Keys, StoredSubscription, SubscriptionStore, parse_stored

log = logging.getLogger(__name__)

DeadLetterSink = Callable[[Job, str, int], Awaitable[None]]
"""Publishes a job that failed for good to the alerts DLQ: (job, reason, attempts)."""

# An endpoint already at its in-flight limit: look again shortly (cheap; no attempt counted).
BUSY_RETRY_S = 0.2
# The scheduled-work gauge is refreshed at most this often (it costs a Redis call).
GAUGE_EVERY_S = 1.0


class DeliveryLog:
    """Each subscription's recent delivery attempts (newest first), as the API lists them."""

    def __init__(self, redis: aioredis.Redis, keys: Keys, length: int) -> None:
        self._redis = redis
        self._keys = keys
        self._length = length

    async def add(self, sub_id: str, record: DeliveryRecord) -> None:
        """Prepend one record and trim the log."""
        key = self._keys.deliveries(sub_id)
        async with self._redis.pipeline(transaction=False) as pipe:
            pipe.lpush(key, record.model_dump_json())
            pipe.ltrim(key, 0, self._length - 1)
            await pipe.execute()

    def stage(self, pipe: Pipeline, sub_id: str, record: DeliveryRecord) -> None:
        """Add the writes of ``add`` to a pipeline (to make them part of another step)."""
        key = self._keys.deliveries(sub_id)
        pipe.lpush(key, record.model_dump_json())
        pipe.ltrim(key, 0, self._length - 1)

    async def recent(self, sub_id: str, limit: int) -> list[DeliveryRecord]:
        """Up to ``limit`` records, newest first."""
        raws = await self._redis.lrange(self._keys.deliveries(sub_id), 0, limit - 1)
        return [DeliveryRecord.model_validate_json(r) for r in raws]


class Dispatcher:
    """The scheduler loop plus the handling of one send's outcome."""

    def __init__(
        self,
        *,
        queue: DeliveryQueue,
        store: SubscriptionStore,
        channels: dict[str, Channel],
        policy: RetryPolicy,
        records: DeliveryLog,
        metrics: NotifyWorkerMetrics,
        dead_letter: DeadLetterSink,
        concurrency: int,
        per_subscription: int,
        lease_s: float,
        poll_s: float,
        pause_after: int,
    ) -> None:
        self._queue = queue
        self._store = store
        self._channels = channels
        self._policy = policy
        self._records = records
        self._metrics = metrics
        self._dead_letter = dead_letter
        self._concurrency = concurrency
        self._per_sub = per_subscription
        self._lease_s = lease_s
        self._poll_s = poll_s
        self._pause_after = pause_after
        self._wake = asyncio.Event()
        self._tasks: set[asyncio.Task[None]] = set()
        self._inflight: Counter[str] = Counter()
        # While sends are in flight, claim only once this many slots are free: one claim round
        # trip then serves a batch of jobs instead of one per finished send.
        self._min_claim = max(1, concurrency // 8)
        self._gauge_at = 0.0

    def wake(self) -> None:
        """New work was queued: look for due work now rather than at the next poll."""
        self._wake.set()

    async def run(self) -> None:
        """Claim and dispatch due work until cancelled."""
        try:
            while True:
                try:
                    claimed = await self._claim_some()
                except RedisError as exc:
                    log.warning("scheduler cannot reach Redis", extra={"error": str(exc)})
                    claimed = 0
                    await asyncio.sleep(self._poll_s)
                if claimed == 0:
                    await self._idle()
        finally:
            for task in list(self._tasks):
                task.cancel()
            if self._tasks:
                await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _claim_some(self) -> int:
        free = self._concurrency - len(self._tasks)
        if free <= 0 or (self._tasks and free < self._min_claim):
            return 0
        now = time.time()
        claimed = await self._queue.claim_loaded(now, now + self._lease_s, free)
        for item in claimed:
            task = asyncio.create_task(self._guarded_claimed(item))
            self._tasks.add(task)
            task.add_done_callback(self._done)
        return len(claimed)

    def _done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        self._wake.set()

    async def _idle(self) -> None:
        if time.monotonic() - self._gauge_at >= GAUGE_EVERY_S or not self._tasks:
            self._metrics.scheduled.set(await self._queue.scheduled())
            self._gauge_at = time.monotonic()
        timeout = self._poll_s
        if self._concurrency - len(self._tasks) >= self._min_claim or not self._tasks:
            due = await self._queue.next_due()
            if due is not None:
                timeout = min(timeout, max(0.0, due - time.time()))
        self._wake.clear()
        if timeout > 0:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout)

    async def _guarded(self, member: str) -> None:
        try:
            if member.startswith(FLUSH_PREFIX):
                now = time.time()
                digest = await self._queue.flush_group(member.removeprefix(FLUSH_PREFIX), now, now + self._lease_s)
                if digest is not None:
                    await self.handle(digest)
            else:
                await self.handle(member)
        except asyncio.CancelledError:
            raise
        except Exception:
            # The lease brings the member back later; log and keep the scheduler alive.
            log.exception("delivery step failed; it will be re-driven", extra={"job_id": member})

    async def _guarded_claimed(self, item: Claimed) -> None:
        if not item.loaded:
            await self._guarded(item.member)
            return
        try:
            if item.job is None:
                await self._queue.forget(item.member)
                return
            stored = parse_stored(item.subscription) if item.subscription is not None else None
            await self._handle(item.job, stored)
        except asyncio.CancelledError:
            raise
        except Exception:
            # The lease brings the member back later; log and keep the scheduler alive.
            log.exception("delivery step failed; it will be re-driven", extra={"job_id": item.member})

    async def handle(self, job_id: str) -> None:
        """Attempt one job once and act on the outcome."""
        job = await self._queue.load(job_id)
        if job is None:
            await self._queue.forget(job_id)
            return
        await self._handle(job, await self._store.get_stored(job.subscription_id))

    async def _handle(self, job: Job, stored: StoredSubscription | None) -> None:
        if stored is None:
            await self._queue.dropped(job, "subscription-deleted")
            return
        sub = stored.subscription
        if not sub.active:
            await self._queue.park(job.job_id, sub.id)
            return
        if self._inflight[sub.id] >= self._per_sub:
            await self._queue.postpone(job.job_id, time.time() + BUSY_RETRY_S)
            return
        if (
            job.attempt == 0
            and sub.max_per_hour is not None
            and not await self._queue.throttle_allows(sub.id, job.job_id, sub.max_per_hour, time.time())
        ):
            await self._queue.dropped(job, "throttled")
            await self._record(job, 1, "skipped", None, f"throttled: over {sub.max_per_hour} per hour", 0.0)
            self._metrics.deliveries.labels(sub.channel.type, "throttled").inc()
            return
        channel = self._channels[sub.channel.type]
        attempt = job.attempt + 1
        self._inflight[sub.id] += 1
        started = time.perf_counter()
        try:
            result = await channel.send(job.outgoing(), stored)
        except DeliveryError as exc:
            await self._failed(job, attempt, exc, started, channel.name)
            return
        finally:
            self._inflight[sub.id] -= 1
            if self._inflight[sub.id] <= 0:
                del self._inflight[sub.id]
        record = self._record_of(job, attempt, "delivered", result.status_code, None, started)
        await self._queue.done(job, also=lambda pipe: self._records.stage(pipe, job.subscription_id, record))
        self._metrics.deliveries.labels(channel.name, "delivered").inc()
        now = datetime.now(UTC)
        for alert in job.alerts:
            self._metrics.end_to_end.observe((now - alert.received_at).total_seconds())
        log.info("delivered", extra={"job_id": job.job_id, "subscription_id": sub.id, "attempt": attempt})

    async def _failed(self, job: Job, attempt: int, exc: DeliveryError, started: float, channel: str) -> None:
        reason = str(exc)
        decision = self._policy.decide(attempt, isinstance(exc, PermanentDeliveryError), reason, exc.retry_after_s)
        if not isinstance(decision, GiveUp):
            due = time.time() + decision.delay_s
            await self._queue.reschedule(job, attempt, due)
            await self._record(
                job, attempt, "retry", exc.status_code, reason, started, datetime.fromtimestamp(due, UTC)
            )
            self._metrics.deliveries.labels(channel, "retry").inc()
            log.info(
                "delivery failed, retry scheduled", extra={"job_id": job.job_id, "attempt": attempt, "error": reason}
            )
            return
        await self._dead_letter(job, decision.reason, attempt)
        failures = await self._queue.given_up(job)
        await self._record(job, attempt, "failed", exc.status_code, decision.reason, started)
        self._metrics.deliveries.labels(channel, "failed").inc()
        log.warning("delivery failed for good", extra={"job_id": job.job_id, "attempt": attempt, "error": reason})
        if failures >= self._pause_after:
            why = f"paused after {failures} consecutive failed deliveries; last error: {decision.reason}"[:500]
            await self._store.set_active(job.subscription_id, False, why)
            self._metrics.auto_paused.inc()
            log.warning("subscription paused", extra={"subscription_id": job.subscription_id, "reason": why})

    async def _record(
        self,
        job: Job,
        attempt: int,
        outcome: Outcome,
        status: int | None,
        error: str | None,
        started: float,
        next_retry_at: datetime | None = None,
    ) -> None:
        record = self._record_of(job, attempt, outcome, status, error, started, next_retry_at)
        await self._records.add(job.subscription_id, record)

    @staticmethod
    def _record_of(
        job: Job,
        attempt: int,
        outcome: Outcome,
        status: int | None,
        error: str | None,
        started: float,
        next_retry_at: datetime | None = None,
    ) -> DeliveryRecord:
        return DeliveryRecord(
            alert_id=job.job_id,
            attempt=attempt,
            outcome=outcome,
            status_code=status,
            error=error,
            latency_ms=round((time.perf_counter() - started) * 1000, 2) if started else 0.0,
            at=datetime.now(UTC),
            next_retry_at=next_retry_at,
            kind=job.kind,
            alert_ids=tuple(a.alert_id for a in job.alerts) if job.kind == "digest" else (),
        )
