"""Prometheus metrics of the notify API and workers, built against an injected registry."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

LATENCY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 3600)


class NotifyApiMetrics:
    """Subscription API activity."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.subscriptions_changed = Counter(
            "herald_notify_subscription_changes_total",
            "Subscription changes, by action",
            ["action"],
            registry=registry,
        )


class NotifyWorkerMetrics:
    """Matching and delivery."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.alerts_matched = Counter(
            "herald_notify_alerts_matched_total", "Alerts emitted by the matcher", registry=registry
        )
        self.deliveries = Counter(
            "herald_notify_deliveries_total",
            "Delivery attempts, by channel and outcome",
            ["channel", "outcome"],
            registry=registry,
        )
        self.dead_letters = Counter(
            "herald_notify_dead_letters_total", "Records sent to a DLQ, by topic", ["topic"], registry=registry
        )
        self.match_duration = Histogram(
            "herald_notify_match_duration_seconds",
            "Matching time per classified article",
            registry=registry,
            buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1),
        )
        self.auto_paused = Counter(
            "herald_notify_subscriptions_auto_paused_total",
            "Subscriptions paused because their endpoint kept failing",
            registry=registry,
        )
        self.enqueued = Counter(
            "herald_notify_alerts_enqueued_total",
            "Alerts taken in hand by the deliver agent, by how (queued, grouped, duplicate)",
            ["how"],
            registry=registry,
        )
        self.scheduled = Gauge(
            "herald_notify_scheduled_deliveries",
            "Sends waiting in the Redis schedule (due now, retrying later, or digests waiting)",
            registry=registry,
        )
        self.subscriptions_cached = Gauge(
            "herald_notify_subscriptions_cached", "Subscriptions held by this worker's matcher", registry=registry
        )
        self.end_to_end = Histogram(
            "herald_end_to_end_seconds",
            "From ingest receipt of an article to delivery of its alert",
            registry=registry,
            buckets=LATENCY_BUCKETS,
        )
