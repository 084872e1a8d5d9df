"""Feeds against a real HTTP server, broker and Redis: conditional GET, limits, redirects, health."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from services.ingest.api import create_app
from services.ingest.exceptions import FeedError
from services.ingest.feeds import fetch_feed
from services.ingest.store import FeedStore
from services.runtime import redis as runtime_redis
from services.runtime.kafka import ensure_topics
from services.runtime.settings import Settings
from services.runtime.ssrf import UnsafeURL
from tests.integration.ingest.helpers import FeedServer, Served, read_topic, wait_until

pytestmark = pytest.mark.integration

FEEDS = Path(__file__).parents[2] / "data" / "feeds"
RSS = (FEEDS / "rss20.xml").read_text(encoding="utf-8")
EXTRA_ITEM = """<item><title>Talks resume in Geneva</title>
<link>https://wire.test.herald.example/2026/11/talks</link>
<description>Negotiators met again on Monday to discuss a ceasefire along the front line.</description></item>
"""


@pytest.fixture
def server() -> Iterator[FeedServer]:
    served = FeedServer()
    yield served
    served.close()


def make_client(settings: Settings, **overrides: Any) -> TestClient:
    ensure_topics(settings, (settings.topic_articles_raw,))
    values: dict[str, Any] = {"ingest_feeds_enabled": False, "ingest_feed_min_interval_seconds": 1}
    values.update(overrides)
    return TestClient(create_app(settings.model_copy(update=values)))


def versioned_feed(state: dict[str, str]) -> Any:
    """A route that honours If-None-Match and If-Modified-Since for the current version."""

    def route(request: Served) -> tuple[int, dict[str, str], bytes]:
        etag, modified = f'"{state["version"]}"', state["modified"]
        if request.headers.get("if-none-match") == etag or request.headers.get("if-modified-since") == modified:
            return 304, {"etag": etag}, b""
        return (
            200,
            {"etag": etag, "last-modified": modified, "content-type": "application/rss+xml"},
            state["body"].encode(),
        )

    return route


def test_conditional_get_and_entries_published_once(settings: Settings, server: FeedServer) -> None:
    state = {"version": "v1", "modified": "Sun, 29 Nov 2026 12:00:00 GMT", "body": RSS}
    server.routes["/wire.xml"] = versioned_feed(state)
    with make_client(settings) as client:
        added = client.post("/v1/feeds", json={"url": server.url("/wire.xml"), "interval_seconds": 60})
        assert added.status_code == 201, added.text
        feed_id = added.json()["id"]
        assert client.post("/v1/feeds", json={"url": server.url("/wire.xml"), "name": "Wire"}).status_code == 200

        first = client.post(f"/v1/feeds/{feed_id}/poll").json()["health"]
        assert first["last_outcome"] == "ok" and first["items_seen"] == 3 and first["items_published"] == 2
        assert len(read_topic(settings, at_least=2)) == 2

        second = client.post(f"/v1/feeds/{feed_id}/poll").json()["health"]
        assert server.requests[-1].headers["if-none-match"] == '"v1"'
        assert server.requests[-1].headers["if-modified-since"] == state["modified"]
        assert second["last_outcome"] == "not_modified" and second["items_published"] == 2

        state.update(
            version="v2", modified="Mon, 30 Nov 2026 08:00:00 GMT", body=RSS.replace("<item>", EXTRA_ITEM + "<item>", 1)
        )
        third = client.post(f"/v1/feeds/{feed_id}/poll").json()["health"]
        assert third["last_outcome"] == "ok" and third["items_seen"] == 7 and third["items_published"] == 3
        articles = read_topic(settings, at_least=3)
        assert sorted(a.title for a in articles) == [
            "Aid convoy reaches besieged town",
            "Sides exchange 40 prisoners in mediated deal",
            "Talks resume in Geneva",
        ], "an entry already seen was published again"
        assert all(a.source == "Herald Test Wire" and a.metadata["feed_id"] == feed_id for a in articles)

        listed = client.get("/v1/feeds").json()
        assert [f["id"] for f in listed] == [feed_id] and listed[0]["name"] == "Wire"
        assert "etag" not in listed[0]["health"]
        assert client.delete(f"/v1/feeds/{feed_id}").status_code == 204
        assert client.get(f"/v1/feeds/{feed_id}").status_code == 404
        assert client.delete(f"/v1/feeds/{feed_id}").status_code == 404


def test_failures_back_off_and_show_in_health_and_metrics(settings: Settings, server: FeedServer) -> None:
    server.routes["/broken.xml"] = lambda _r: (500, {}, b"oops")
    server.routes["/html"] = lambda _r: (200, {"content-type": "text/html"}, b"<html><body>hello</body></html>")
    server.endless("/huge.xml", b"<rss>" + b"x" * 65_536, times=2_000)
    with make_client(settings, ingest_feed_max_bytes=100_000) as client:
        ids = {
            path: client.post("/v1/feeds", json={"url": server.url(path), "interval_seconds": 60}).json()["id"]
            for path in ("/broken.xml", "/html", "/huge.xml")
        }
        before = datetime.now(UTC)
        broken = client.post(f"/v1/feeds/{ids['/broken.xml']}/poll").json()["health"]
        assert broken["last_outcome"] == "http_error" and "HTTP 500" in broken["last_error"]
        assert broken["consecutive_failures"] == 1 and broken["last_success_at"] is None
        assert datetime.fromisoformat(broken["next_poll_at"]) >= before + timedelta(seconds=120)
        again = client.post(f"/v1/feeds/{ids['/broken.xml']}/poll").json()["health"]
        assert again["consecutive_failures"] == 2
        assert datetime.fromisoformat(again["next_poll_at"]) >= before + timedelta(seconds=240)

        assert client.post(f"/v1/feeds/{ids['/html']}/poll").json()["health"]["last_outcome"] == "parse_error"
        huge = client.post(f"/v1/feeds/{ids['/huge.xml']}/poll").json()["health"]
        assert huge["last_outcome"] == "too_large"
        assert wait_until(server.aborted.is_set), "the poller kept reading past the size limit"
        assert not server.completed.is_set()

        metrics = client.get("/metrics").text
        assert 'herald_ingest_feed_polls_total{outcome="http_error"} 2.0' in metrics
        assert 'herald_ingest_feed_polls_total{outcome="too_large"} 1.0' in metrics
        assert 'herald_ingest_feed_polls_total{outcome="parse_error"} 1.0' in metrics
    assert read_topic(settings, wait_s=1) == []


async def test_redirects_are_checked_at_every_hop(server: FeedServer) -> None:
    other = FeedServer()
    try:
        other.routes["/feed.xml"] = lambda _r: (200, {}, RSS.encode())
        server.routes["/moved"] = lambda _r: (302, {"location": other.url("/feed.xml")}, b"")
        server.routes["/loop"] = lambda _r: (301, {"location": "/loop"}, b"")
        refused_port = f":{other.port}/"

        async def guard(url: str) -> None:
            if refused_port in url:
                raise UnsafeURL(f"{url} is not allowed")

        async def allow(url: str) -> None:
            return None

        async with httpx.AsyncClient() as http:
            with pytest.raises(FeedError) as refused:
                await fetch_feed(http, server.url("/moved"), guard=guard)
            assert refused.value.outcome == "unsafe_url" and other.requests == []

            followed = await fetch_feed(http, server.url("/moved"), guard=allow)
            assert followed.content == RSS.encode() and followed.url == other.url("/feed.xml")

            with pytest.raises(FeedError) as looping:
                await fetch_feed(http, server.url("/loop"), guard=allow)
            assert looping.value.outcome == "redirects"
    finally:
        other.close()


def test_private_feed_urls_are_refused_unless_allowed(settings: Settings, server: FeedServer) -> None:
    with make_client(settings, allow_private_urls=False) as client:
        refused = client.post("/v1/feeds", json={"url": server.url("/feed.xml")})
        assert refused.status_code == 422 and refused.json()["detail"][0]["loc"] == ["body", "url"]
        assert client.post("/v1/feeds", json={"url": "file:///etc/passwd"}).status_code == 422
        assert client.get("/v1/feeds").json() == []


def test_poller_task_polls_due_feeds_from_the_config_file(
    settings: Settings, server: FeedServer, tmp_path: Path
) -> None:
    server.routes["/wire.xml"] = lambda _r: (200, {}, RSS.encode())
    feeds_file = tmp_path / "feeds.toml"
    feeds_file.write_text(
        f'[[feeds]]\nurl = "{server.url("/wire.xml")}"\ninterval_seconds = 1\nsource = "Configured"\n'
    )
    with make_client(
        settings, ingest_feeds_enabled=True, ingest_feeds_file=str(feeds_file), ingest_feed_tick_seconds=0.1
    ) as client:
        (feed,) = client.get("/v1/feeds").json()
        assert feed["interval_seconds"] == 1 and feed["source"] == "Configured"

        def polled_twice() -> bool:
            health = client.get(f"/v1/feeds/{feed['id']}").json()["health"]
            return bool(health["items_seen"] >= 6)

        assert wait_until(polled_twice), client.get(f"/v1/feeds/{feed['id']}").json()
        health = client.get(f"/v1/feeds/{feed['id']}").json()["health"]
        assert health["items_published"] == 2 and health["last_outcome"] == "ok"
        assert "herald_ingest_feeds 1.0" in client.get("/metrics").text
    articles = read_topic(settings, at_least=2)
    assert len(articles) == 2 and {a.source for a in articles} == {"Configured"}


async def test_one_replica_holds_a_feed_lease_at_a_time(settings: Settings) -> None:
    redis = runtime_redis.async_client(settings)
    try:
        store = FeedStore(redis, settings)
        token = await store.acquire("f_lease", ttl_s=30)
        assert token is not None
        assert await store.acquire("f_lease", ttl_s=30) is None
        await store.release("f_lease", "not-the-token")
        assert await store.acquire("f_lease", ttl_s=30) is None
        await store.release("f_lease", token)
        assert await store.acquire("f_lease", ttl_s=30) is not None
    finally:
        await redis.aclose()
