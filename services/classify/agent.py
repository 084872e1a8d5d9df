"""The classify worker: a faust agent from ``articles.raw`` to ``articles.classified``."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import faust
from prometheus_client import CollectorRegistry
from pydantic import ValidationError

from schemas.models import Article, ClassifiedArticle
from services.classify.classifier import DEFAULT_TAXONOMY, Classifier
from services.classify.metrics import ClassifyMetrics
from services.runtime.dlq import dead_letter
from services.runtime.health import install_faust_pages, tcp_check
from services.runtime.kafka import faust_app_config
from services.runtime.lag import install_lag_metrics
from services.runtime.settings import Settings

log = logging.getLogger(__name__)

BATCH_SIZE = 200
BATCH_WITHIN_S = 0.02


def load_classifier(settings: Settings) -> Classifier:
    """The operator's taxonomy/gazetteer/actors files when configured, else the shipped ones."""
    if not (settings.classify_taxonomy_file or settings.classify_gazetteer_file or settings.classify_actors_file):
        return Classifier.default()
    return Classifier.from_files(
        Path(settings.classify_taxonomy_file) if settings.classify_taxonomy_file else DEFAULT_TAXONOMY,
        Path(settings.classify_gazetteer_file) if settings.classify_gazetteer_file else None,
        Path(settings.classify_actors_file) if settings.classify_actors_file else None,
    )


def create_app(
    settings: Settings, classifier: Classifier | None = None, registry: CollectorRegistry | None = None
) -> Any:
    """Build the faust app with its agent, health pages and metrics."""
    registry = registry or CollectorRegistry()
    metrics = ClassifyMetrics(registry)
    model = classifier or load_classifier(settings)
    app = faust.App(**faust_app_config(settings, "classify", settings.classify_port))
    install_faust_pages(app, registry, {"kafka": tcp_check(settings.kafka_bootstrap)})
    install_lag_metrics(app, registry)
    raw = app.topic(settings.topic_articles_raw, key_serializer="raw", value_serializer="raw")
    out = app.topic(settings.topic_articles_classified, key_serializer="raw", value_serializer="raw")
    dlq = app.topic(settings.topic_articles_dlq, key_serializer="raw", value_serializer="raw")

    def classify_one(value: bytes) -> ClassifiedArticle:
        article = Article.model_validate_json(value)
        with metrics.duration.time():
            result = model.classify(article.title, article.body)
        return ClassifiedArticle(
            article=article, topics=result.topics, entities=result.entities, classified_at=datetime.now(UTC)
        )

    @app.agent(raw, name="classify")
    async def classify(stream: Any) -> None:
        # Batches amortise the per-event overhead; offsets are committed only after the
        # producer flushed what we sent (faust flushes before every commit): at-least-once.
        async for events in stream.take_events(BATCH_SIZE, within=BATCH_WITHIN_S):
            for event in events:
                key, value = event.message.key, event.message.value
                try:
                    classified = classify_one(value)
                except ValidationError as exc:
                    await _to_dlq(
                        key,
                        value,
                        f"invalid Article: {exc.errors()[0]['msg']} at {'.'.join(map(str, exc.errors()[0]['loc']))}",
                        "invalid",
                    )
                    continue
                except Exception as exc:
                    log.exception("classification failed", extra={"key": key})
                    await _to_dlq(key, value, f"classification failed: {exc!r}", "error")
                    continue
                await out.send(key=classified.article.id.encode(), value=classified.model_dump_json().encode())
                metrics.classified.inc()
                for tag in classified.topics:
                    metrics.tags.labels(tag.topic).inc()

    async def _to_dlq(key: bytes | None, value: bytes | None, error: str, reason: str) -> None:
        metrics.dead_letters.labels(reason).inc()
        log.warning("dead-lettered", extra={"key": key, "reason": error})
        await dlq.send(
            key=key,
            value=dead_letter(topic=raw.get_topic_name(), key=key, value=value, error=error, service="classify"),
        )

    return app
