"""The notify worker: a faust app with two agents, match (articles.classified -> alerts) and
deliver (alerts -> channels)."""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime
from typing import Any

import faust
import httpx
from prometheus_client import CollectorRegistry
from pydantic import ValidationError

from schemas.models import Alert, AlertArticle, ClassifiedArticle
from services.notify.delivery import Deliverer
from services.notify.matcher import alert_id, match
from services.notify.metrics import NotifyWorkerMetrics
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


def _first_error(exc: ValidationError) -> str:
    err = exc.errors()[0]
    return f"{err['msg']} at {'.'.join(map(str, err['loc'])) or '<root>'}"


def create_app(settings: Settings, registry: CollectorRegistry | None = None) -> Any:
    """Build the faust app with the match and deliver agents, health pages and metrics."""
    registry = registry or CollectorRegistry()
    metrics = NotifyWorkerMetrics(registry)
    redis = async_client(settings)
    names = Keys(settings.redis_prefix)
    store = SubscriptionStore(redis, names)
    app = faust.App(**faust_app_config(settings, "notify", settings.notify_worker_port))

    async def redis_ping() -> None:
        await redis.ping()

    install_faust_pages(app, registry, {"redis": redis_ping, "kafka": tcp_check(settings.kafka_bootstrap)})
    install_lag_metrics(app, registry)
    classified_topic = app.topic(settings.topic_articles_classified, key_serializer="raw", value_serializer="raw")
    alerts_topic = app.topic(settings.topic_alerts, key_serializer="raw", value_serializer="raw")
    articles_dlq = app.topic(settings.topic_articles_dlq, key_serializer="raw", value_serializer="raw")
    alerts_dlq = app.topic(settings.topic_alerts_dlq, key_serializer="raw", value_serializer="raw")
    http = httpx.AsyncClient(timeout=settings.webhook_timeout_seconds)
    deliverer = Deliverer(settings, store, redis, http, metrics, names)

    @app.agent(classified_topic, name="match")
    async def match_agent(stream: Any) -> None:
        async for events in stream.take_events(BATCH_SIZE, within=BATCH_WITHIN_S):
            for event in events:
                key, value = event.message.key, event.message.value
                try:
                    classified = ClassifiedArticle.model_validate_json(value)
                except ValidationError as exc:
                    metrics.dead_letters.labels(settings.topic_articles_dlq).inc()
                    await articles_dlq.send(
                        key=key,
                        value=dead_letter(
                            topic=settings.topic_articles_classified,
                            key=key,
                            value=value,
                            error=f"invalid ClassifiedArticle: {_first_error(exc)}",
                            service="notify",
                        ),
                    )
                    continue
                started = time.perf_counter()
                candidates = await store.candidates([t.topic for t in classified.topics])
                found = match(classified, [c.subscription for c in candidates])
                metrics.match_duration.observe(time.perf_counter() - started)
                for hit in found:
                    alert = _alert_for(classified, hit.subscription.id, hit.subscription.tenant, hit.matched_topics)
                    await alerts_topic.send(key=alert.subscription_id.encode(), value=alert.model_dump_json().encode())
                    metrics.alerts_matched.inc()

    @app.agent(alerts_topic, name="deliver")
    async def deliver_agent(stream: Any) -> None:
        async for event in stream.events():
            key, value = event.message.key, event.message.value
            try:
                alert = Alert.model_validate_json(value)
            except ValidationError as exc:
                metrics.dead_letters.labels(settings.topic_alerts_dlq).inc()
                await alerts_dlq.send(
                    key=key,
                    value=dead_letter(
                        topic=settings.topic_alerts,
                        key=key,
                        value=value,
                        error=f"invalid Alert: {_first_error(exc)}",
                        service="notify",
                    ),
                )
                continue
            failure = await deliverer.deliver(alert)
            if failure is not None:
                metrics.dead_letters.labels(settings.topic_alerts_dlq).inc()
                await alerts_dlq.send(
                    key=key,
                    value=dead_letter(
                        topic=settings.topic_alerts,
                        key=key,
                        value=value,
                        error=failure.reason,
                        attempts=failure.attempts,
                        service="notify",
                    ),
                )

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
