"""Run the Herald services as real processes for a test, on the session broker and Redis."""

from __future__ import annotations

from pathlib import Path

from herald.launcher import System, start_system, wait_ready
from services.runtime.settings import Settings

ENV_FIELDS = (
    "kafka_bootstrap",
    "redis_url",
    "redis_prefix",
    "kafka_partitions",
    "topic_articles_raw",
    "topic_articles_classified",
    "topic_articles_dlq",
    "topic_alerts",
    "topic_alerts_dlq",
    "group_prefix",
    "ingest_port",
    "classify_port",
    "notify_port",
    "notify_worker_port",
    "allow_private_urls",
)


def start_services(settings: Settings, data_dir: Path, api_key: str, **extra: str) -> System:
    """Start ingest, classify, notify-api and notify-worker as processes and wait until ready."""
    env = {field: str(getattr(settings, field)) for field in ENV_FIELDS}
    env["bootstrap_api_key"] = api_key
    env.update(extra)
    system = start_system(settings, data_dir, env, log_dir=data_dir / "logs", quiet=True)
    for port in (settings.ingest_port, settings.classify_port, settings.notify_port, settings.notify_worker_port):
        wait_ready(f"http://{settings.host}:{port}/readyz")
    return system
