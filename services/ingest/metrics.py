"""Prometheus metrics of the ingest service, built against an injected registry."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram


class IngestMetrics:
    """Counters and histograms for articles entering Herald."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.received = Counter(
            "herald_ingest_articles_received_total", "Articles received, by source kind", ["via"], registry=registry
        )
        self.published = Counter(
            "herald_ingest_articles_published_total", "Articles acknowledged by the broker", ["via"], registry=registry
        )
        self.duplicates = Counter(
            "herald_ingest_articles_duplicate_total", "Articles dropped as exact duplicates", ["via"], registry=registry
        )
        self.rejected = Counter(
            "herald_ingest_articles_rejected_total", "Articles refused, by reason", ["via", "reason"], registry=registry
        )
        self.produce_seconds = Histogram(
            "herald_ingest_produce_seconds",
            "Time from send to broker acknowledgement of one batch",
            registry=registry,
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
        )
