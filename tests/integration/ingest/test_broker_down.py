"""No broker, or a broker that goes away: 503 with Retry-After, and nothing reported as accepted
that is not in Kafka; the publisher recovers once a broker is back."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from herald.local import free_port, start_tansu
from services.ingest.api import create_app
from services.runtime.kafka import ensure_topics
from services.runtime.settings import Settings
from tests.integration.ingest.helpers import FeedServer, read_topic

pytestmark = pytest.mark.integration

FEEDS = Path(__file__).parents[2] / "data" / "feeds"


def article(n: int) -> dict[str, Any]:
    return {"title": f"Story {n}", "body": f"Body of story number {n}.", "url": f"https://down.example/{n}"}


def test_no_broker_answers_503_and_remembers_nothing(settings: Settings) -> None:
    unreachable = settings.model_copy(
        update={"kafka_bootstrap": f"127.0.0.1:{free_port()}", "ingest_ack_timeout_seconds": 2.0}
    )
    server = FeedServer()
    server.routes["/wire.xml"] = lambda _r: (200, {"etag": '"v1"'}, (FEEDS / "rss20.xml").read_bytes())
    try:
        with TestClient(create_app(unreachable.model_copy(update={"ingest_feeds_enabled": False}))) as client:
            refused = client.post("/v1/articles", json=[article(1), article(2)])
            assert refused.status_code == 503, refused.text
            assert refused.headers["retry-after"] == str(settings.ingest_retry_after_seconds)
            assert "ids" not in refused.json()
            assert client.get("/readyz").status_code == 503

            feed_id = client.post("/v1/feeds", json={"url": server.url("/wire.xml")}).json()["id"]
            health = client.post(f"/v1/feeds/{feed_id}/poll").json()["health"]
            assert health["last_outcome"] == "broker_unavailable" and health["items_published"] == 0
            metrics = client.get("/metrics").text
            assert 'herald_ingest_articles_rejected_total{reason="broker_unavailable",via="api"} 2.0' in metrics
            assert "herald_ingest_articles_published_total{" not in metrics

        # Same Redis, working broker: the refused articles are new (they were never marked
        # as seen) and the feed is fetched in full (its ETag was not kept).
        ensure_topics(settings, (settings.topic_articles_raw,))
        with TestClient(create_app(settings.model_copy(update={"ingest_feeds_enabled": False}))) as client:
            accepted = client.post("/v1/articles", json=[article(1), article(2)])
            assert accepted.status_code == 202 and accepted.json()["duplicates"] == []
            health = client.post(f"/v1/feeds/{feed_id}/poll").json()["health"]
            assert health["last_outcome"] == "ok" and health["items_published"] == 2
            assert "if-none-match" not in server.requests[-1].headers
        assert len(read_topic(settings, at_least=4)) == 4
    finally:
        server.close()


def test_broker_stopped_then_restarted(settings: Settings, tmp_path: Path) -> None:
    port = free_port()
    broker = start_tansu(port, tmp_path / "tansu-1.log")
    own = settings.model_copy(
        update={
            "kafka_bootstrap": f"127.0.0.1:{port}",
            "ingest_ack_timeout_seconds": 3.0,
            "ingest_feeds_enabled": False,
        }
    )
    try:
        ensure_topics(own, (own.topic_articles_raw,))
        with TestClient(create_app(own)) as client:
            first = client.post("/v1/articles", json=article(1))
            assert first.status_code == 202
            assert [a.id for a in read_topic(own, at_least=1)] == first.json()["ids"]

            broker.stop()
            down = client.post("/v1/articles", json=[article(2), article(3)])
            assert down.status_code == 503 and "retry-after" in down.headers

            broker = start_tansu(port, tmp_path / "tansu-2.log")  # empty: memory storage
            ensure_topics(own, (own.topic_articles_raw,))
            back = client.post("/v1/articles", json=[article(2), article(3)])
            assert back.status_code == 202, back.text
            assert back.json()["duplicates"] == [], "articles refused with 503 were marked as seen"
            assert sorted(a.id for a in read_topic(own, at_least=2)) == sorted(back.json()["ids"])
    finally:
        broker.stop()
