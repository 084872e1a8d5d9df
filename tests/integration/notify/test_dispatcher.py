"""The delivery pipeline on a real Redis without the broker: throttling, permanent errors,
auto-pause with parking and resume, secret rotation, and a slow endpoint not blocking others."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from prometheus_client import CollectorRegistry
from standardwebhooks import Webhook

from schemas.models import Alert, AlertArticle, TopicTag
from schemas.subscriptions import SubscriptionIn, SubscriptionPatch
from services.notify.delivery import DeliveryLog, Dispatcher
from services.notify.metrics import NotifyWorkerMetrics
from services.notify.queue import DeliveryQueue, Job
from services.notify.subscriptions import Keys, SubscriptionStore
from services.notify.worker import build_dispatcher
from services.runtime.redis import async_client
from services.runtime.settings import Settings
from tests.integration.notify.harness import Receiver, fast

pytestmark = pytest.mark.integration


@dataclass
class Pipeline:
    settings: Settings
    store: SubscriptionStore
    queue: DeliveryQueue
    dispatcher: Dispatcher
    records: DeliveryLog
    dead: list[tuple[Job, str, int]]

    async def subscribe(self, url: str, tenant: str = "t", **fields: Any) -> Any:
        body = SubscriptionIn.model_validate(
            {"name": "s", "topics": ["evacuation"], "channel": {"type": "webhook", "url": url}} | fields
        )
        return await self.store.create(tenant, body, 1_000)

    async def send(self, sub_id: str, n: int = 1) -> list[str]:
        ids = []
        for _ in range(n):
            alert = make_alert(sub_id)
            assert await self.queue.enqueue(alert, time.time())
            ids.append(alert.alert_id)
        self.dispatcher.wake()
        return ids

    async def wait_records(self, sub_id: str, count: int, timeout_s: float = 30) -> list[Any]:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            got = await self.records.recent(sub_id, 1_000)
            if len(got) >= count:
                return got
            await asyncio.sleep(0.05)
        return await self.records.recent(sub_id, 1_000)


_counter = iter(range(1_000_000))


def make_alert(sub_id: str) -> Alert:
    n = next(_counter)
    now = datetime.now(UTC)
    return Alert(
        alert_id=f"al_{sub_id[-8:]}_{n}",
        subscription_id=sub_id,
        tenant="t",
        story_id=f"s{n}",
        article=AlertArticle(id=f"a{n}", title=f"title {n}"),
        topics=(TopicTag(topic="evacuation", score=0.9, evidence=("e",)),),
        matched_topics=("evacuation",),
        received_at=now,
        created_at=now,
    )


async def _pipeline(settings: Settings) -> AsyncIterator[Pipeline]:
    redis = async_client(settings)
    keys = Keys(settings.redis_prefix)
    store = SubscriptionStore(redis, keys)
    dead: list[tuple[Job, str, int]] = []

    async def sink(job: Job, reason: str, attempts: int) -> None:
        dead.append((job, reason, attempts))

    http = httpx.AsyncClient(timeout=settings.webhook_timeout_seconds)
    metrics = NotifyWorkerMetrics(CollectorRegistry())
    queue, dispatcher = build_dispatcher(settings, redis, keys, store, metrics, http, sink)
    task = asyncio.create_task(dispatcher.run())
    try:
        yield Pipeline(settings, store, queue, dispatcher, DeliveryLog(redis, keys, 200), dead)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await http.aclose()
        await redis.aclose()


@pytest.fixture
async def pipeline(settings: Settings) -> AsyncIterator[Pipeline]:
    async for p in _pipeline(fast(settings, notify_pause_after_failures=2, notify_delivery_concurrency=8)):
        yield p


@pytest.fixture
def receiver() -> Any:
    r = Receiver()
    yield r
    r.close()


async def test_throttle_sends_at_most_n_per_hour(pipeline: Pipeline, receiver: Receiver) -> None:
    sub = await pipeline.subscribe(receiver.url, max_per_hour=2)
    await pipeline.send(sub.id, 5)
    records = await pipeline.wait_records(sub.id, 5)
    outcomes = sorted(r.outcome for r in records)
    assert outcomes == ["delivered", "delivered", "skipped", "skipped", "skipped"]
    assert all("throttled" in (r.error or "") for r in records if r.outcome == "skipped")
    assert len(receiver.snapshot()) == 2


async def test_4xx_is_permanent_dead_lettered_and_pauses_after_repeats(pipeline: Pipeline, receiver: Receiver) -> None:
    receiver.respond = lambda _n, _b: (404, {}, b"no such hook")
    sub = await pipeline.subscribe(receiver.url)
    await pipeline.send(sub.id, 2)
    records = await pipeline.wait_records(sub.id, 2)
    assert [(r.attempt, r.outcome, r.status_code) for r in records] == [(1, "failed", 404)] * 2
    assert len(pipeline.dead) == 2 and all(attempts == 1 for _j, _r, attempts in pipeline.dead)
    paused = await pipeline.store.get("t", sub.id)
    assert paused is not None and paused.active is False
    assert paused.paused_reason is not None and "404" in paused.paused_reason

    # While paused, new work is parked, not sent and not lost; resume delivers it.
    receiver.respond = lambda _n, _b: (204, {}, b"")
    before = len(receiver.snapshot())
    (held,) = await pipeline.send(sub.id, 1)
    await asyncio.sleep(0.5)
    assert len(receiver.snapshot()) == before
    await pipeline.store.update("t", sub.id, SubscriptionPatch(active=True))
    assert await pipeline.queue.unpark(sub.id, time.time()) == 1
    pipeline.dispatcher.wake()
    hits = await asyncio.to_thread(receiver.wait, lambda h: len(h) > before, timeout_s=30)
    assert hits[-1].headers["webhook-id"] == held


async def test_gives_up_after_the_schedule_and_dead_letters(pipeline: Pipeline, receiver: Receiver) -> None:
    receiver.respond = lambda _n, _b: (503, {}, b"")
    sub = await pipeline.subscribe(receiver.url)
    await pipeline.send(sub.id, 1)
    attempts = len(pipeline.settings.notify_retry_schedule_seconds) + 1
    records = await pipeline.wait_records(sub.id, attempts)
    assert [r.outcome for r in records] == ["failed"] + ["retry"] * (attempts - 1)
    assert len(receiver.snapshot()) == attempts
    (job, reason, count) = pipeline.dead[0]
    assert count == attempts and "gave up" in reason and job.subscription_id == sub.id


async def test_rotated_secret_signs_with_both_during_grace(pipeline: Pipeline, receiver: Receiver) -> None:
    sub = await pipeline.subscribe(receiver.url)
    rotated = await pipeline.store.rotate_secret("t", sub.id, 3_600)
    assert rotated is not None
    await pipeline.send(sub.id, 1)
    (hit,) = await asyncio.to_thread(receiver.wait, lambda h: len(h) >= 1)
    Webhook(sub.secret).verify(hit.body, hit.headers)
    Webhook(rotated.secret).verify(hit.body, hit.headers)


async def test_slow_endpoint_does_not_delay_others(settings: Settings) -> None:
    slow, quick = Receiver(delay_s=1.0), Receiver()
    try:
        async for p in _pipeline(fast(settings, notify_inflight_per_subscription=1, notify_delivery_concurrency=4)):
            slow_sub = await p.subscribe(slow.url)
            quick_sub = await p.subscribe(quick.url)
            await p.send(slow_sub.id, 5)
            await p.send(quick_sub.id, 3)
            await asyncio.to_thread(quick.wait, lambda h: len(h) >= 3)
            assert len(quick.snapshot()) == 3
            # When the quick endpoint had all three, the slow one had not finished its queue.
            assert len(slow.snapshot()) < 5
            await asyncio.to_thread(slow.wait, lambda h: len(h) >= 5)
            assert len(slow.snapshot()) == 5
    finally:
        slow.close()
        quick.close()


async def test_batched_enqueue_dedupes_and_claim_loads_job_and_subscription(pipeline: Pipeline) -> None:
    sub = await pipeline.subscribe("http://127.0.0.1:9/hook")
    first, second = make_alert(sub.id), make_alert(sub.id)
    gone = make_alert("sub_deleted_00000000")
    queue = pipeline.queue
    now = time.time() + 3_600  # due long after anything the running dispatcher would claim
    assert await queue.enqueue_many([first, second, first, gone], now) == [True, True, False, True]
    assert await queue.enqueue_many([second], now) == [False]
    redis = async_client(pipeline.settings)
    keys = Keys(pipeline.settings.redis_prefix)
    await redis.zadd(keys.schedule, {"job_vanished": now, "flush:" + sub.id: now})
    claimed = {c.member: c for c in await queue.claim_loaded(now + 1, now + 60, 10)}
    await redis.aclose()
    assert set(claimed) == {first.alert_id, second.alert_id, gone.alert_id, "job_vanished", "flush:" + sub.id}
    job = claimed[first.alert_id].job
    assert job is not None and job.alerts == (first,) and job.attempt == 0 and job.subscription_id == sub.id
    assert claimed[first.alert_id].subscription is not None
    assert claimed[gone.alert_id].job is not None and claimed[gone.alert_id].subscription is None
    assert claimed["job_vanished"].loaded and claimed["job_vanished"].job is None
    assert not claimed["flush:" + sub.id].loaded
    assert await queue.claim_loaded(now + 1, now + 60, 10) == []  # leased
