"""Fault injection: kill -9 the workers mid-stream; every expected alert still arrives, once.

Injected: SIGKILL of the classify worker, then of the notify worker, while articles flow.
Checked: unique webhook-ids received == alerts expected from the offline classifier, and the
number of repeated webhook-ids.
"""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest

from bench.corpus import articles
from services.classify.classifier import Classifier
from services.runtime.settings import Settings
from tests.support.receiver import WebhookReceiver
from tests.support.system import start_services

pytestmark = pytest.mark.e2e

KEY = "hk_test_faults_0123456789abcdef"


def test_kill_9_classify_and_notify_workers_mid_stream(settings: Settings, tmp_path: Path) -> None:
    receiver = WebhookReceiver()
    # A short lease so sends claimed by the killed worker are re-driven quickly.
    system = start_services(settings, tmp_path, KEY, notify_delivery_lease_seconds="2")
    try:
        classifier = Classifier.default()
        created = httpx.post(
            f"http://{settings.host}:{settings.notify_port}/v1/subscriptions",
            headers={"Authorization": f"Bearer {KEY}"},
            json={
                "name": "faults",
                "topics": list(classifier.topic_ids),
                "channel": {"type": "webhook", "url": receiver.url},
            },
            timeout=10,
        )
        assert created.status_code == 201, created.text
        batch = articles(120, seed=11, topical_share=0.8)
        ingest = f"http://{settings.host}:{settings.ingest_port}/v1/articles"

        first_of_story: dict[str, dict[str, object]] = {}

        def post(chunk: list[dict[str, object]]) -> None:
            response = httpx.post(ingest, json=chunk, timeout=30)
            assert response.status_code == 202, response.text
            # One alert per story: ingest folds near-duplicates, and the story's first article decides.
            for story, item in zip(response.json()["story_ids"], chunk, strict=True):
                first_of_story.setdefault(story, item)

        post(batch[:30])
        time.sleep(0.5)
        system.child("classify").kill()
        post(batch[30:60])  # accepted while classify is dead: waits in Kafka
        system.child("classify").restart()
        post(batch[60:90])
        receiver.wait_for(1, timeout_s=60)
        system.child("notify-worker").kill()
        post(batch[90:])
        system.child("notify-worker").restart()

        expected = sum(
            1 for a in first_of_story.values() if classifier.classify(str(a["title"]), str(a["body"])).topics
        )
        # Repeats count as requests, so wait on distinct webhook-ids, then a little for late repeats.
        deadline = time.monotonic() + 150
        while len({r.headers["webhook-id"] for r in receiver.requests}) < expected and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(1)
        got = list(receiver.requests)
        ids = [r.headers["webhook-id"] for r in got]
        unique = set(ids)
        print(
            f"injected: kill -9 classify, kill -9 notify-worker; sent {len(batch)} articles, "
            f"expected {expected} alerts, received {len(ids)}, unique {len(unique)}, repeated {len(ids) - len(unique)}"
        )
        assert len(unique) == expected, f"lost alerts: {expected - len(unique)} (logs in {tmp_path / 'logs'})"
        # A send the receiver answered but the killed worker had not yet recorded is re-sent with
        # the same webhook-id (at-least-once): at most the sends in flight for the endpoint.
        in_flight = settings.notify_inflight_per_subscription
        assert len(ids) - len(unique) <= in_flight, f"{len(ids) - len(unique)} alerts delivered twice"
    finally:
        system.stop()
        receiver.close()
