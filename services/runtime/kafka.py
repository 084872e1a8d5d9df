"""Kafka plumbing every service shares: topic creation, the kafka-python producer, faust apps."""

from __future__ import annotations

import contextlib
import logging
import time
from pathlib import Path
from typing import Any

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer
from kafka.admin import NewTopic
from kafka.errors import KafkaError, TopicAlreadyExistsError

from services.runtime.settings import Settings

log = logging.getLogger(__name__)


class BrokerUnavailable(RuntimeError):
    """The Kafka broker could not be reached or did not acknowledge in time."""


def ensure_topics(settings: Settings, names: tuple[str, ...] | None = None, timeout_s: float = 30.0) -> None:
    """Create the configured topics if missing (idempotent); retries until the broker answers."""
    wanted = names or settings.topic_names()
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            admin = KafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap, request_timeout_ms=10_000)
            break
        except KafkaError as exc:
            if time.monotonic() > deadline:
                raise BrokerUnavailable(f"broker {settings.kafka_bootstrap} unreachable: {exc}") from exc
            time.sleep(0.3)
    try:
        existing = set(admin.list_topics())
        missing = [n for n in wanted if n not in existing]
        if missing:
            new = [NewTopic(n, settings.kafka_partitions, settings.kafka_replication_factor) for n in missing]
            with contextlib.suppress(TopicAlreadyExistsError):
                admin.create_topics(new)
            log.info("created topics", extra={"topics": missing})
    finally:
        admin.close()


def make_producer(settings: Settings, **overrides: Any) -> KafkaProducer:
    """A durable producer: acks from all replicas, idempotent, compressed, keyed by id."""
    config: dict[str, Any] = {
        "bootstrap_servers": settings.kafka_bootstrap,
        "acks": "all",
        "enable_idempotence": True,
        "compression_type": None if settings.kafka_compression == "none" else settings.kafka_compression,
        "linger_ms": 5,
        "retries": 5,
        "max_block_ms": 5_000,
        "request_timeout_ms": 10_000,
        "delivery_timeout_ms": 30_000,
    }
    config.update(overrides)
    try:
        return KafkaProducer(**config)
    except KafkaError as exc:
        raise BrokerUnavailable(f"broker {settings.kafka_bootstrap} unreachable: {exc}") from exc


def make_consumer(settings: Settings, *topic_names: str, group: str, **overrides: Any) -> KafkaConsumer:
    """A kafka-python consumer with Herald's group timeouts (used by tools and tests)."""
    config: dict[str, Any] = {
        "bootstrap_servers": settings.kafka_bootstrap,
        "group_id": group,
        "auto_offset_reset": "earliest",
        "session_timeout_ms": settings.kafka_session_timeout_ms,
        "heartbeat_interval_ms": settings.kafka_heartbeat_interval_ms,
    }
    config.update(overrides)
    return KafkaConsumer(*topic_names, **config)


def limit_faust_fetch_wait(max_wait_ms: int) -> None:
    """Make the consumers faust creates use ``fetch_max_wait_ms=max_wait_ms``.

    faust-streaming passes a literal 1,500 ms to aiokafka and offers no setting for it. Against
    the embedded Tansu broker an aiokafka fetch then returns ~380 ms late on every hop (three
    hops from article to alert), while 100 ms costs only a few idle fetches a second. The
    faust driver looks the consumer class up on the aiokafka module at call time, so a
    subclass there is enough; this runs only in worker processes.
    """
    import aiokafka

    base = getattr(aiokafka.AIOKafkaConsumer, "_herald_base", aiokafka.AIOKafkaConsumer)

    class Consumer(base):  # type: ignore[misc, valid-type]
        _herald_base = base

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            kwargs["fetch_max_wait_ms"] = max_wait_ms
            super().__init__(*args, **kwargs)

    aiokafka.AIOKafkaConsumer = Consumer


def faust_app_config(settings: Settings, service: str, web_port: int) -> dict[str, Any]:
    """Keyword arguments for ``faust.App`` shared by every Herald worker."""
    limit_faust_fetch_wait(settings.kafka_fetch_max_wait_ms)
    datadir = Path(settings.data_dir) / f"faust-{service}"
    datadir.mkdir(parents=True, exist_ok=True)  # faust creates only the last level
    return {
        "id": f"{settings.group_prefix}-{service}",
        "broker": f"kafka://{settings.kafka_bootstrap}",
        "store": "memory://",
        "datadir": str(datadir),
        # Herald creates its topics itself (ensure_topics) with the configured partitions.
        "topic_allow_declare": False,
        "topic_disable_leader": True,
        "broker_session_timeout": settings.kafka_session_timeout_ms / 1000,
        "broker_heartbeat_interval": settings.kafka_heartbeat_interval_ms / 1000,
        "consumer_auto_offset_reset": "earliest",
        "producer_acks": -1,
        "producer_compression_type": None if settings.kafka_compression == "none" else settings.kafka_compression,
        "web_enabled": True,
        "web_bind": settings.host,
        "web_host": settings.host,
        "web_port": web_port,
        "web_in_thread": False,
    }
