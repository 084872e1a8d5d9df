"""Create Herald's topics and report them: ``python -m services.runtime.topics``.

The deployment's topic-init job: runs once before the services, with the partitions and
replication factor from ``HERALD_KAFKA_PARTITIONS`` / ``HERALD_KAFKA_REPLICATION_FACTOR``.
Existing topics are left as they are (adding partitions moves keys to other partitions, so
that is an operator's decision); a topic with fewer partitions than configured is reported,
because partitions bound how many worker replicas can share the load.
"""

from __future__ import annotations

import logging
import sys

from kafka import KafkaAdminClient
from kafka.errors import KafkaError

from services.runtime.kafka import BrokerUnavailable, ensure_topics
from services.runtime.logging import configure_logging
from services.runtime.settings import Settings, get_settings

log = logging.getLogger("herald.topics")

WAIT_FOR_BROKER_S = 120.0


def partition_counts(settings: Settings) -> dict[str, int]:
    """Partitions of each configured topic as the broker reports them (0 when missing)."""
    admin = KafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap, request_timeout_ms=10_000)
    try:
        # An unknown topic comes back with an error code and no partitions.
        described = {t["name"]: len(t["partitions"]) for t in admin.describe_topics(list(settings.topic_names()))}
    finally:
        admin.close()
    return {name: described.get(name, 0) for name in settings.topic_names()}


def main() -> int:
    """Create missing topics, then log each topic's partition count; non-zero exit on failure."""
    settings = get_settings()
    configure_logging("topics", settings.log_level)
    try:
        ensure_topics(settings, timeout_s=WAIT_FOR_BROKER_S)
        counts = partition_counts(settings)
    except (BrokerUnavailable, KafkaError) as exc:
        log.error("topic setup failed", extra={"bootstrap": settings.kafka_bootstrap, "error": str(exc)})
        return 1
    for topic, partitions in counts.items():
        extra = {"topic": topic, "partitions": partitions, "configured": settings.kafka_partitions}
        if partitions < settings.kafka_partitions:
            log.warning("topic has fewer partitions than configured", extra=extra)
        else:
            log.info("topic ready", extra=extra)
    return 0


if __name__ == "__main__":
    sys.exit(main())
