"""Consumer lag per topic-partition, read at scrape time from fetch high-watermarks.

Lag is ``highwater - committed``: the high-watermark comes back in every fetch response
(aiokafka ``consumer.highwater(tp)``), the committed offset is the next offset the group
will resume from. We never ask the broker with ListOffsets "latest": the embedded Tansu
broker answers it too low (see DESIGN.md), and a lag built on it would read zero while
work is waiting.

The collector reports only the partitions this process owns right now, so a rebalance
moves the series to the new owner and no stale value stays behind. With several
replicas of a worker, aggregate with ``max by (group, topic, partition)``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from prometheus_client import CollectorRegistry
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

log = logging.getLogger(__name__)

LABELS = ("group", "topic", "partition")


@dataclass(frozen=True)
class PartitionOffsets:
    """What one consumer knows about one partition it owns."""

    topic: str
    partition: int
    highwater: int | None
    """Offset the next produced record will get, from the last fetch; None before the first fetch."""
    committed: int | None
    """Next offset the group resumes from; None when the group never committed on it."""

    @property
    def lag(self) -> int | None:
        """Records on the partition not yet committed by the group; None while the highwater is unknown."""
        if self.highwater is None:
            return None
        # A group that never committed starts from the log start, which is 0 unless retention
        # already trimmed the topic (then this over-reports until the first commit).
        return max(self.highwater - (self.committed or 0), 0)


OffsetsSource = Callable[[], Iterable[PartitionOffsets]]
"""Returns the offsets of every partition the consumer owns right now."""


class ConsumerLagCollector(Collector):
    """Prometheus collector: lag, high-watermark and committed offset per owned partition."""

    def __init__(self, group: str, source: OffsetsSource) -> None:
        self.group = group
        self.source = source

    def describe(self) -> list[GaugeMetricFamily]:
        """Metric families without samples, so registration never calls the consumer."""
        return list(self._families())

    def collect(self) -> Iterator[GaugeMetricFamily]:
        """Read the consumer now; a consumer that is not running yet yields empty families."""
        lag, highwater, committed = self._families()
        try:
            rows = sorted(self.source(), key=lambda r: (r.topic, r.partition))
        except Exception:  # a scrape must never fail because the consumer is (re)starting
            log.debug("consumer offsets unavailable", exc_info=True)
            rows = []
        for row in rows:
            labels = [self.group, row.topic, str(row.partition)]
            if row.highwater is not None:
                highwater.add_metric(labels, row.highwater)
                lag.add_metric(labels, row.lag or 0)
            if row.committed is not None:
                committed.add_metric(labels, row.committed)
        yield from (lag, highwater, committed)

    @staticmethod
    def _families() -> tuple[GaugeMetricFamily, GaugeMetricFamily, GaugeMetricFamily]:
        return (
            GaugeMetricFamily(
                "herald_consumer_lag_messages",
                "Records not yet committed by the consumer group: fetch high-watermark minus committed offset",
                labels=LABELS,
            ),
            GaugeMetricFamily(
                "herald_consumer_highwater_offset",
                "High-watermark of the partition, from the last fetch response",
                labels=LABELS,
            ),
            GaugeMetricFamily(
                "herald_consumer_committed_offset",
                "Next offset the consumer group resumes from (last commit)",
                labels=LABELS,
            ),
        )


def faust_offsets(app: Any) -> OffsetsSource:
    """An offsets source reading a faust app's consumer (aiokafka driver) without broker calls."""

    def read() -> list[PartitionOffsets]:
        # app.consumer would build a consumer on first use; a scrape before the worker
        # started it must not be the one to do that.
        consumer = getattr(app, "_consumer", None)
        if consumer is None:
            return []
        committed: dict[Any, int | None] = consumer._committed_offset
        rows = []
        for tp in consumer.assignment():
            try:
                highwater = consumer.highwater(tp)
            except AssertionError:  # revoked between assignment() and now
                continue
            rows.append(
                PartitionOffsets(
                    topic=tp.topic, partition=tp.partition, highwater=highwater, committed=committed.get(tp)
                )
            )
        return rows

    return read


def install_lag_metrics(app: Any, registry: CollectorRegistry) -> ConsumerLagCollector:
    """Export the consumer lag of a faust ``app`` (group = its id) in ``registry``."""
    collector = ConsumerLagCollector(str(app.conf.id), faust_offsets(app))
    registry.register(collector)
    return collector
