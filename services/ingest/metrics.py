"""Prometheus metrics of the ingest service, built against an injected registry.

Labels have few values: ``via`` is api|feed|file, ``reason`` and ``outcome`` are fixed
words. Never a feed id or an article id.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

_LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)


class IngestMetrics:
    """Counters, gauges and histograms for articles and feeds entering Herald."""

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
        self.near_duplicates = Counter(
            "herald_ingest_articles_near_duplicate_total",
            "Articles published under the story id of an earlier near-duplicate",
            ["via"],
            registry=registry,
        )
        self.rejected = Counter(
            "herald_ingest_articles_rejected_total", "Articles refused, by reason", ["via", "reason"], registry=registry
        )
        self.produce_seconds = Histogram(
            "herald_ingest_produce_seconds",
            "Time from send to broker acknowledgement of one batch",
            registry=registry,
            buckets=_LATENCY_BUCKETS,
        )
        self.produce_failures = Counter(
            "herald_ingest_produce_failures_total",
            "Batches the broker did not acknowledge in time (answered 503 or retried later)",
            ["via"],
            registry=registry,
        )
        self.dedupe_seconds = Histogram(
            "herald_ingest_dedupe_seconds",
            "Time spent on exact and near-duplicate checks for one batch",
            registry=registry,
            buckets=_LATENCY_BUCKETS,
        )
        self.feed_polls = Counter(
            "herald_ingest_feed_polls_total", "Feed polls, by outcome", ["outcome"], registry=registry
        )
        self.feed_poll_seconds = Histogram(
            "herald_ingest_feed_poll_seconds",
            "Time of one feed poll (fetch, parse, publish)",
            registry=registry,
            buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
        )
        self.feed_items = Counter("herald_ingest_feed_items_total", "Entries seen in fetched feeds", registry=registry)
        self.feeds = Gauge("herald_ingest_feeds", "Feeds configured", registry=registry)
        self.feeds_failing = Gauge("herald_ingest_feeds_failing", "Feeds whose last poll failed", registry=registry)
        self.feed_oldest_success_age = Gauge(
            "herald_ingest_feed_oldest_success_age_seconds",
            "Age of the oldest 'last success' among feeds (how stale the stalest feed is)",
            registry=registry,
        )
