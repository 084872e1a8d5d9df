"""Shared fixtures: a real Tansu broker and a real Redis for the session, unique names per test."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from herald.local import LaunchError, free_port, start_redis, start_tansu
from services.runtime.settings import Settings


@pytest.fixture(scope="session")
def kafka_bootstrap(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """HERALD_KAFKA_BOOTSTRAP when set, else an embedded Tansu broker started for this session."""
    if os.environ.get("HERALD_KAFKA_BOOTSTRAP"):
        yield os.environ["HERALD_KAFKA_BOOTSTRAP"]
        return
    try:
        broker = start_tansu(free_port(), tmp_path_factory.mktemp("tansu") / "tansu.log")
    except LaunchError as exc:
        pytest.fail(f"cannot start the embedded Kafka broker: {exc}")
    yield f"127.0.0.1:{broker.port}"
    broker.stop()


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """HERALD_REDIS_URL when set, else a redis-server started for this session on a free port."""
    if os.environ.get("HERALD_REDIS_URL"):
        yield os.environ["HERALD_REDIS_URL"]
        return
    try:
        server = start_redis(free_port(), tmp_path_factory.mktemp("redis"), persist=False)
    except LaunchError as exc:
        pytest.fail(f"cannot start Redis: {exc}")
    yield f"redis://127.0.0.1:{server.port}/0"
    server.stop()


def unique_settings(kafka_bootstrap: str, redis_url: str, data_dir: Path, **overrides: object) -> Settings:
    """Settings with topics, consumer groups and ports of their own, so tests never share state."""
    tag = uuid.uuid4().hex[:8]
    values: dict[str, object] = {
        "kafka_bootstrap": kafka_bootstrap,
        "redis_url": redis_url,
        "redis_prefix": f"t{tag}:",
        "kafka_partitions": 2,
        "topic_articles_raw": f"t{tag}.articles.raw",
        "topic_articles_classified": f"t{tag}.articles.classified",
        "topic_articles_dlq": f"t{tag}.articles.dlq",
        "topic_alerts": f"t{tag}.alerts",
        "topic_alerts_dlq": f"t{tag}.alerts.dlq",
        "group_prefix": f"t{tag}",
        "ingest_port": free_port(),
        "classify_port": free_port(),
        "notify_port": free_port(),
        "notify_worker_port": free_port(),
        "allow_private_urls": True,
        "data_dir": str(data_dir),
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture
def settings(kafka_bootstrap: str, redis_url: str, tmp_path: Path) -> Settings:
    """Per-test settings on the session broker and Redis, with unique topics and groups."""
    return unique_settings(kafka_bootstrap, redis_url, tmp_path)
