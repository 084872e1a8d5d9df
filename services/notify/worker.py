"""The notify worker: a faust app with two agents and one task.

- match (``articles.classified`` -> ``alerts``): one alert per (subscription, story) that matches;
- deliver (``alerts`` -> Redis delivery queue): takes each alert in hand exactly once (dedupe),
  queues it or files it in its subscription's digest group, then the offset may be committed;
- dispatcher (task): claims due sends from Redis and runs them concurrently, with retries,
  backoff, throttling, auto-pause and the ``alerts.dlq`` topic.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from functools import partial
from typing import Any, TypeVar

import faust
import httpx
from prometheus_client import CollectorRegistry
from pydantic import ValidationError
from redis.exceptions import RedisError

from schemas.models import Alert, AlertArticle, ClassifiedArticle
from services.notify.cache import SubscriptionCache
from services.notify.channels import ChannelContext, build_channels
from services.notify.delivery import DeliveryLog, Dispatcher
from services.notify.matcher import ArticleView, alert_id
from services.notify.metrics import NotifyWorkerMetrics
from services.notify.queue import DeliveryQueue, Job
from services.notify.retry import RetryPolicy
from services.notify.subscriptions import Keys, SubscriptionStore
from services.runtime.dlq import dead_letter
from services.runtime.health import install_faust_pages, tcp_check
from services.runtime.kafka import faust_app_config
from services.runtime.lag import install_lag_metrics
from services.runtime.redis import async_client
from services.runtime.settings import Settings

log = logging.getLogger(__name__)

BATCH_SIZE = 200
BATCH_WITHIN_S = 0.02
T = TypeVar("T")


async def _until_done(step: Callable[[], Awaitable[T]], what: str) -> T:
    """Run a Redis step, retrying while Redis is unreachable: the partition waits rather than
    skipping an alert (its offset is not committed until the step succeeds)."""
    delay = 0.1
    while True:
        try:
            return await step()
        except (RedisError, OSError) as exc:
            log.warning("redis unavailable, retrying", extra={"step": what, "error": str(exc), "retry_in_s": delay})
            await asyncio.sleep(delay)
            delay = min(delay * 2, 5.0)


def _first_error(exc: ValidationError) -> str:
    err = exc.errors()[0]
    return f"{err['msg']} at {'.'.join(map(str, err['loc'])) or '<root>'}"


def build_dispatcher(
    settings: Settings,
    redis: Any,
    names: Keys,
    store: SubscriptionStore,
    metrics: NotifyWorkerMetrics,
    http: httpx.AsyncClient,
    dead_letter_sink: Any,
) -> tuple[DeliveryQueue, Dispatcher]:
    """The delivery queue and dispatcher as configured (shared by the worker and tests)."""
    queue = DeliveryQueue(redis, names, settings.notify_dedupe_ttl_seconds)
    ctx = ChannelContext.from_settings(settings, http, redis, names)
    dispatcher = Dispatcher(
        queue=queue,
        store=store,
        channels=build_channels(ctx),
        policy=RetryPolicy(
            schedule=tuple(settings.notify_retry_schedule_seconds),
            jitter=settings.notify_retry_jitter,
            retry_after_max_s=settings.notify_retry_after_max_seconds,
        ),
        records=DeliveryLog(redis, names, settings.notify_delivery_log_length),
        metrics=metrics,
        dead_letter=dead_letter_sink,
        concurrency=settings.notify_delivery_concurrency,
        per_subscription=settings.notify_inflight_per_subscription,
        lease_s=max(settings.notify_delivery_lease_seconds, settings.webhook_timeout_seconds * 2 + 1),
        poll_s=settings.notify_scheduler_poll_seconds,
        pause_after=settings.notify_pause_after_failures,
    )
    return queue, dispatcher


def create_app(settings: Settings, registry: CollectorRegistry | None = None) -> Any:
    """Build the faust app with the match and deliver agents, the dispatcher, health pages and metrics."""
    registry = registry or CollectorRegistry()
    metrics = NotifyWorkerMetrics(registry)
    redis = async_client(settings)
    names = Keys(settings.redis_prefix)
    store = SubscriptionStore(redis, names)
    cache = SubscriptionCache(store)
    app = faust.App(**faust_app_config(settings, "notify", settings.notify_worker_port))

    async def redis_ping() -> None:
        await redis.ping()

    install_faust_pages(app, registry, {"redis": redis_ping, "kafka": tcp_check(settings.kafka_bootstrap)})
    install_lag_metrics(app, registry)
    classified_topic = app.topic(settings.topic_articles_classified, key_serializer="raw", value_serializer="raw")
    alerts_topic = app.topic(settings.topic_alerts, key_serializer="raw", value_serializer="raw")
    articles_dlq = app.topic(settings.topic_articles_dlq, key_serializer="raw", value_serializer="raw")
    alerts_dlq = app.topic(settings.topic_alerts_dlq, key_serializer="raw", value_serializer="raw")
    # Keep-alive for as many connections as sends may be in flight: with httpx's default of 20,
    # a busy worker closed and reopened most connections to a receiver on every send.
    limits = httpx.Limits(
        max_connections=max(100, settings.notify_delivery_concurrency),
        max_keepalive_connections=max(20, settings.notify_delivery_concurrency),
    )
    http = httpx.AsyncClient(timeout=settings.webhook_timeout_seconds, follow_redirects=False, limits=limits)

    async def job_to_dlq(job: Job, reason: str, attempts: int) -> None:
        value = (
            job.alerts[0].model_dump_json()
            if job.kind == "alert" and job.alerts
            else "[" + ",".join(a.model_dump_json() for a in job.alerts) + "]"
        )
        metrics.dead_letters.labels(settings.topic_alerts_dlq).inc()
        sent = await alerts_dlq.send(
            key=job.subscription_id.encode(),
            value=dead_letter(
                topic=settings.topic_alerts,
                key=job.subscription_id.encode(),
                value=value.encode(),
                error=reason,
                attempts=attempts,
                service="notify",
            ),
        )
        await sent  # acknowledged before the job is deleted from Redis

    queue, dispatcher = build_dispatcher(settings, redis, names, store, metrics, http, job_to_dlq)

    async def to_dlq(topic: Any, source: str, key: bytes | None, value: bytes, error: str) -> None:
        metrics.dead_letters.labels(topic.get_topic_name()).inc()
        await topic.send(key=key, value=dead_letter(topic=source, key=key, value=value, error=error, service="notify"))

    @app.agent(classified_topic, name="match")
    async def match_agent(stream: Any) -> None:
        async for events in stream.take_events(BATCH_SIZE, within=BATCH_WITHIN_S):
            await _until_done(cache.refresh, "refresh subscriptions")
            metrics.subscriptions_cached.set(len(cache.index))
            recent: list[bytes] = []
            for event in events:
                key, value = event.message.key, event.message.value
                try:
                    classified = ClassifiedArticle.model_validate_json(value)
                except ValidationError as exc:
                    error = f"invalid ClassifiedArticle: {_first_error(exc)}"
                    await to_dlq(articles_dlq, settings.topic_articles_classified, key, value, error)
                    continue
                recent.append(value)
                started = time.perf_counter()
                found = cache.index.match(ArticleView(classified))
                metrics.match_duration.observe(time.perf_counter() - started)
                for hit in found:
                    alert = _alert_for(classified, hit.subscription.id, hit.subscription.tenant, hit.matched_topics)
                    await alerts_topic.send(key=alert.subscription_id.encode(), value=alert.model_dump_json().encode())
                    metrics.alerts_matched.inc()
            if recent:
                async with redis.pipeline(transaction=False) as pipe:
                    pipe.lpush(names.recent_articles, *recent)
                    pipe.ltrim(names.recent_articles, 0, settings.notify_preview_articles - 1)
                    await pipe.execute()

    @app.agent(alerts_topic, name="deliver")
    async def deliver_agent(stream: Any) -> None:
        async for events in stream.take_events(BATCH_SIZE, within=BATCH_WITHIN_S):
            alerts: list[Alert] = []
            for event in events:
                key, value = event.message.key, event.message.value
                try:
                    alerts.append(Alert.model_validate_json(value))
                except ValidationError as exc:
                    await to_dlq(alerts_dlq, settings.topic_alerts, key, value, f"invalid Alert: {_first_error(exc)}")
            wanted = [a.subscription_id for a in alerts]
            subs = await _until_done(partial(store.get_stored_many, wanted), "load subscriptions")
            now = time.time()
            to_queue: list[Alert] = []
            for alert in alerts:
                stored = subs.get(alert.subscription_id)
                if stored is None or not stored.subscription.active:
                    metrics.enqueued.labels("inactive").inc()
                    continue
                grouping = stored.subscription.grouping
                if grouping is None:
                    to_queue.append(alert)
                    continue
                add = partial(queue.group_add, alert, now, grouping.group_wait_seconds, grouping.group_interval_seconds)
                taken = await _until_done(add, "group alert")
                metrics.enqueued.labels("grouped" if taken else "duplicate").inc()
            for taken in await _until_done(partial(queue.enqueue_many, to_queue, now), "enqueue alerts"):
                metrics.enqueued.labels("queued" if taken else "duplicate").inc()
            dispatcher.wake()

    @app.task  # type: ignore[untyped-decorator]
    async def dispatch() -> None:
        await dispatcher.run()

    return app


def _alert_for(classified: ClassifiedArticle, sub_id: str, tenant: str, matched: tuple[str, ...]) -> Alert:
    article = classified.article
    return Alert(
        alert_id=alert_id(sub_id, article.story_id),
        subscription_id=sub_id,
        tenant=tenant,
        story_id=article.story_id,
        article=AlertArticle(
            id=article.id,
            title=article.title,
            url=article.url,
            source=article.source,
            published_at=article.published_at,
        ),
        topics=classified.topics,
        matched_topics=matched,
        received_at=article.received_at,
        created_at=datetime.now(UTC),
    )
