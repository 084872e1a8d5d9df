"""Consumer lag from fetch high-watermarks and committed offsets, rendered for Prometheus."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, NamedTuple

from prometheus_client import CollectorRegistry, generate_latest

from services.runtime.lag import ConsumerLagCollector, PartitionOffsets, faust_offsets, install_lag_metrics


def sample(registry: CollectorRegistry, name: str, topic: str, partition: int) -> float | None:
    return registry.get_sample_value(name, {"group": "herald-classify", "topic": topic, "partition": str(partition)})


def registry_with(rows: Iterable[PartitionOffsets]) -> CollectorRegistry:
    registry = CollectorRegistry()
    registry.register(ConsumerLagCollector("herald-classify", lambda: list(rows)))
    return registry


def test_lag_is_highwater_minus_committed() -> None:
    registry = registry_with(
        [
            PartitionOffsets("articles.raw", 0, highwater=120, committed=100),
            PartitionOffsets("articles.raw", 1, highwater=7, committed=7),
        ]
    )
    assert sample(registry, "herald_consumer_lag_messages", "articles.raw", 0) == 20
    assert sample(registry, "herald_consumer_lag_messages", "articles.raw", 1) == 0
    assert sample(registry, "herald_consumer_highwater_offset", "articles.raw", 0) == 120
    assert sample(registry, "herald_consumer_committed_offset", "articles.raw", 0) == 100


def test_never_committed_counts_from_log_start_and_unknown_highwater_is_not_reported() -> None:
    registry = registry_with(
        [
            PartitionOffsets("alerts", 0, highwater=5, committed=None),
            PartitionOffsets("alerts", 1, highwater=None, committed=3),
        ]
    )
    assert sample(registry, "herald_consumer_lag_messages", "alerts", 0) == 5
    assert sample(registry, "herald_consumer_committed_offset", "alerts", 0) is None
    assert sample(registry, "herald_consumer_lag_messages", "alerts", 1) is None
    assert sample(registry, "herald_consumer_committed_offset", "alerts", 1) == 3


def test_values_are_read_at_every_scrape() -> None:
    state = {"highwater": 10}
    registry = CollectorRegistry()
    registry.register(
        ConsumerLagCollector("g", lambda: [PartitionOffsets("t", 0, highwater=state["highwater"], committed=4)])
    )
    labels = {"group": "g", "topic": "t", "partition": "0"}
    assert registry.get_sample_value("herald_consumer_lag_messages", labels) == 6
    state["highwater"] = 50
    assert registry.get_sample_value("herald_consumer_lag_messages", labels) == 46


def test_a_consumer_that_is_not_running_gives_empty_families() -> None:
    def broken() -> list[PartitionOffsets]:
        raise RuntimeError("Consumer thread not yet started")

    registry = CollectorRegistry()
    registry.register(ConsumerLagCollector("g", broken))
    text = generate_latest(registry).decode()
    assert "# TYPE herald_consumer_lag_messages gauge" in text
    assert "herald_consumer_lag_messages{" not in text


class TP(NamedTuple):
    topic: str
    partition: int


class FakeFaustConsumer:
    """The three things faust_offsets reads from faust's aiokafka consumer."""

    def __init__(self) -> None:
        self._committed_offset: dict[TP, int | None] = {TP("raw", 0): 40}
        self.highwaters = {TP("raw", 0): 42, TP("raw", 1): 9}
        self.revoked: set[TP] = set()

    def assignment(self) -> set[TP]:
        return set(self.highwaters)

    def highwater(self, tp: TP) -> int:
        assert tp not in self.revoked, "Partition is not assigned"
        return self.highwaters[tp]


class FakeApp:
    def __init__(self) -> None:
        self._consumer: FakeFaustConsumer | None = FakeFaustConsumer()
        self.conf: Any = type("Conf", (), {"id": "herald-notify"})()


def test_faust_source_reads_assignment_highwater_and_committed() -> None:
    app = FakeApp()
    registry = CollectorRegistry()
    install_lag_metrics(app, registry)
    labels = {"group": "herald-notify", "topic": "raw"}
    assert registry.get_sample_value("herald_consumer_lag_messages", labels | {"partition": "0"}) == 2
    assert registry.get_sample_value("herald_consumer_lag_messages", labels | {"partition": "1"}) == 9
    assert app._consumer is not None
    app._consumer.revoked.add(TP("raw", 1))
    assert [r.partition for r in faust_offsets(app)()] == [0]
    app._consumer = None  # the worker has not started its consumer yet
    assert list(faust_offsets(app)()) == []


def test_both_workers_export_lag(tmp_path: Any) -> None:
    from services.classify.agent import create_app as classify_app
    from services.notify.worker import create_app as notify_app
    from services.runtime.settings import Settings

    settings = Settings(data_dir=str(tmp_path))
    for create in (classify_app, notify_app):
        registry = CollectorRegistry()
        create(settings, registry=registry)
        exposition = generate_latest(registry).decode()
        assert "# TYPE herald_consumer_lag_messages gauge" in exposition, f"{create.__module__} exports no lag"
