"""Prometheus metrics of the classify worker, built against an injected registry."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram


class ClassifyMetrics:
    """How many articles were classified, how long it took, which topics were tagged."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.classified = Counter(
            "herald_classify_articles_total", "Articles classified and published", registry=registry
        )
        self.tags = Counter("herald_classify_tags_total", "Topic tags emitted, by topic", ["topic"], registry=registry)
        self.dead_letters = Counter(
            "herald_classify_dead_letters_total", "Messages sent to the DLQ, by reason", ["reason"], registry=registry
        )
        self.duration = Histogram(
            "herald_classify_duration_seconds",
            "Classifier time per article",
            registry=registry,
            buckets=(0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1),
        )
