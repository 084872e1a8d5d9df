"""Fault injection: poison messages on every topic land in the DLQ with a reason; the stream goes on.

Injected on articles.raw, articles.classified and alerts: invalid JSON, valid JSON of the wrong
schema, a ~900 KB value and an empty value. Checked: one DLQ record per poison message, each
with the original topic, key and a reason, and a good article posted afterwards still alerts.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import httpx
import pytest

from schemas.models import DeadLetter
from services.runtime.kafka import make_consumer, make_producer
from services.runtime.settings import Settings
from tests.support.receiver import WebhookReceiver
from tests.support.system import start_services

pytestmark = pytest.mark.e2e

KEY = "hk_test_poison_0123456789abcdef"
POISON = {
    "not-json": b"{this is not json",
    "wrong-schema": json.dumps({"schema_version": 1, "hello": "world"}).encode(),
    "huge": b'{"title": "' + b"x" * 900_000 + b'"}',
    "empty": b"",
}


def _drain_dlq(settings: Settings, topic: str, want: int) -> list[DeadLetter]:
    consumer = make_consumer(
        settings,
        topic,
        group=f"dlq-reader-{uuid.uuid4().hex[:6]}",
        consumer_timeout_ms=1000,
        fetch_max_bytes=5 * 1024 * 1024,
        max_partition_fetch_bytes=5 * 1024 * 1024,
    )
    records: list[DeadLetter] = []
    try:
        for _ in range(60):
            for batch in consumer.poll(timeout_ms=1000).values():
                records.extend(DeadLetter.model_validate_json(r.value) for r in batch)
            if len(records) >= want:
                break
    finally:
        consumer.close()
    return records


def test_poison_on_every_topic_is_dead_lettered_and_the_stream_goes_on(settings: Settings, tmp_path: Path) -> None:
    receiver = WebhookReceiver()
    system = start_services(settings, tmp_path, KEY)
    try:
        producer = make_producer(settings, max_request_size=2 * 1024 * 1024)
        for topic in (settings.topic_articles_raw, settings.topic_articles_classified, settings.topic_alerts):
            for name, value in POISON.items():
                producer.send(topic, key=f"poison-{name}".encode(), value=value)
        producer.flush()
        producer.close()

        created = httpx.post(
            f"http://{settings.host}:{settings.notify_port}/v1/subscriptions",
            headers={"Authorization": f"Bearer {KEY}"},
            json={
                "name": "after poison",
                "topics": ["evacuation"],
                "channel": {"type": "webhook", "url": receiver.url},
            },
            timeout=10,
        )
        assert created.status_code == 201, created.text
        posted = httpx.post(
            f"http://{settings.host}:{settings.ingest_port}/v1/articles",
            json={
                "title": "Thousands evacuated as river floods villages",
                "body": "Rescue teams evacuated more than 3,000 people from flooded villages on Sunday, "
                "moving families to shelters in schools, the emergency ministry said.",
            },
            timeout=30,
        )
        assert posted.status_code == 202, posted.text
        assert len(receiver.wait_for(1, timeout_s=60)) == 1, f"no alert after poison (logs in {tmp_path / 'logs'})"

        articles_dlq = _drain_dlq(settings, settings.topic_articles_dlq, 2 * len(POISON))
        alerts_dlq = _drain_dlq(settings, settings.topic_alerts_dlq, len(POISON))
        print(
            f"injected {3 * len(POISON)} poison messages; articles.dlq got {len(articles_dlq)}, "
            f"alerts.dlq got {len(alerts_dlq)}"
        )
        by_source = {(d.original_topic, d.original_key) for d in articles_dlq + alerts_dlq}
        for topic in (settings.topic_articles_raw, settings.topic_articles_classified, settings.topic_alerts):
            for name in POISON:
                assert (topic, f"poison-{name}") in by_source, f"{name} on {topic} was not dead-lettered"
        assert len(articles_dlq) == 2 * len(POISON) and len(alerts_dlq) == len(POISON)
        assert all(d.error and d.service for d in articles_dlq + alerts_dlq)
        huge = next(d for d in articles_dlq if d.original_key == "poison-huge")
        assert len(huge.original_value) < 200_000, "huge originals are truncated in the DLQ"
        for child in system.children:
            assert child.proc.poll() is None, f"{child.name} died"
    finally:
        system.stop()
        receiver.close()
