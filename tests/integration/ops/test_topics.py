"""The deployment's topic-init job creates the configured topics with their partitions."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from services.runtime.settings import Settings
from services.runtime.topics import partition_counts

pytestmark = pytest.mark.integration


def run_topics(settings: Settings) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HERALD_")}
    fields = ["kafka_bootstrap", "kafka_partitions", "kafka_replication_factor"]
    fields += [name for name in Settings.model_fields if name.startswith("topic_")]
    env |= {f"HERALD_{name.upper()}": str(getattr(settings, name)) for name in fields}
    return subprocess.run(
        [sys.executable, "-m", "services.runtime.topics"], env=env, capture_output=True, text=True, timeout=120
    )


def test_topic_init_creates_topics_idempotently(settings: Settings) -> None:
    assert set(partition_counts(settings).values()) == {0}
    for _ in range(2):
        result = run_topics(settings)
        assert result.returncode == 0, result.stderr
    assert partition_counts(settings) == {name: settings.kafka_partitions for name in settings.topic_names()}
    logged = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    ready = {r["topic"]: r["partitions"] for r in logged if r["msg"] == "topic ready"}
    assert ready == {name: settings.kafka_partitions for name in settings.topic_names()}


def test_fewer_partitions_than_configured_is_reported(settings: Settings) -> None:
    assert run_topics(settings).returncode == 0
    more = settings.model_copy(update={"kafka_partitions": settings.kafka_partitions + 2})
    result = run_topics(more)
    assert result.returncode == 0, result.stderr
    warned = [json.loads(line) for line in result.stderr.splitlines() if "fewer partitions" in line]
    assert {w["topic"] for w in warned} == set(settings.topic_names())
