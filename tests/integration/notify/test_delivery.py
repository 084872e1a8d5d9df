"""Matching and delivery through the real broker and Redis, with notify running as processes."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from standardwebhooks import Webhook

from services.runtime.kafka import make_consumer
from services.runtime.settings import Settings
from tests.integration.notify.harness import Notify, Receiver, classified, fast, publish

pytestmark = pytest.mark.integration


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.close()


def start(settings: Settings, tmp_path: Path, **overrides: object) -> Notify:
    return Notify(fast(settings, **overrides), tmp_path / "logs").start()


def delivered_ids(hits: list, status: int = 204) -> Counter[str]:  # type: ignore[type-arg]
    return Counter(h.headers["webhook-id"] for h in hits if h.status == status)


def test_tenant_isolation_alerts_go_only_to_the_subscriber(settings: Settings, tmp_path: Path) -> None:
    a, b = Receiver(), Receiver()
    notify = start(settings, tmp_path)
    try:
        sub_a = notify.subscribe(topics=["prisoner_exchange"], channel={"type": "webhook", "url": a.url})
        key_b = "hk_tenant_b_0123456789abcdef"
        import redis

        from services.runtime.apikeys import redis_key

        redis.Redis.from_url(notify.settings.redis_url).set(redis_key(notify.settings.redis_prefix, key_b), "b")
        r = httpx.post(
            f"{notify.url}/v1/subscriptions",
            headers={"Authorization": f"Bearer {key_b}"},
            json={"name": "b", "topics": ["evacuation"], "channel": {"type": "webhook", "url": b.url}},
            timeout=10,
        )
        assert r.status_code == 201
        sub_b = r.json()
        publish(notify.settings, classified(topics={"prisoner_exchange": 0.9}), classified(topics={"evacuation": 0.9}))
        got_a = a.wait(lambda h: len(h) >= 1)
        got_b = b.wait(lambda h: len(h) >= 1)
        assert [json.loads(h.body)["data"]["subscription_id"] for h in got_a] == [sub_a["id"]]
        assert [json.loads(h.body)["data"]["subscription_id"] for h in got_b] == [sub_b["id"]]
        assert (
            httpx.get(f"{notify.url}/v1/subscriptions/{sub_b['id']}/deliveries", headers=notify.auth).status_code == 404
        )
    finally:
        notify.stop()
        a.close()
        b.close()


def test_same_article_twice_and_same_story_twice_alert_once(
    settings: Settings, tmp_path: Path, receiver: Receiver
) -> None:
    notify = start(settings, tmp_path)
    try:
        sub = notify.subscribe(channel={"type": "webhook", "url": receiver.url})
        first = classified(story_id="story-1", source="Wire A", url="https://a.example/1")
        other_source = classified(story_id="story-1", source="Wire B", url="https://b.example/9")
        sentinel = classified(story_id="story-2")
        publish(notify.settings, first, first, other_source, sentinel)
        hits = receiver.wait(lambda h: len(h) >= 2)
        records = notify.wait_deliveries(sub["id"], lambda r: len(r) >= 2)
        stories = sorted(json.loads(h.body)["data"]["story_id"] for h in hits)
        assert stories == ["story-1", "story-2"]
        assert [r["outcome"] for r in records] == ["delivered", "delivered"]
        # Replaying everything (as after a crash before commit) still sends nothing new.
        publish(notify.settings, first, other_source, sentinel, classified(story_id="story-3"))
        hits = receiver.wait(lambda h: len(h) >= 3)
        assert sorted(json.loads(h.body)["data"]["story_id"] for h in hits) == ["story-1", "story-2", "story-3"]
    finally:
        notify.stop()


def test_fails_twice_then_succeeds_same_webhook_id_one_delivery(
    settings: Settings, tmp_path: Path, receiver: Receiver
) -> None:
    receiver.respond = lambda n, _b: (500 if n <= 2 else 204, {}, b"")
    notify = start(settings, tmp_path)
    try:
        sub = notify.subscribe(channel={"type": "webhook", "url": receiver.url})
        publish(notify.settings, classified())
        hits = receiver.wait(lambda h: len(h) >= 3)
        assert [h.status for h in hits] == [500, 500, 204]
        assert len({h.headers["webhook-id"] for h in hits}) == 1
        for hit in hits:
            Webhook(sub["secret"]).verify(hit.body, hit.headers)
        records = notify.wait_deliveries(sub["id"], lambda r: len(r) >= 3)
        assert [(r["attempt"], r["outcome"], r["status_code"]) for r in records] == [
            (3, "delivered", 204),
            (2, "retry", 500),
            (1, "retry", 500),
        ]
        assert records[1]["next_retry_at"] is not None
        assert len(receiver.wait(lambda h: len(h) >= 4, timeout_s=2)) == 3
    finally:
        notify.stop()


def test_receiver_down_for_a_while_gets_everything_after_recovery(
    settings: Settings, tmp_path: Path, receiver: Receiver
) -> None:
    up = {"value": False}
    receiver.respond = lambda _n, _b: (204 if up["value"] else 503, {}, b"")
    notify = start(settings, tmp_path, notify_retry_schedule_seconds=(0.2,) * 40)
    try:
        notify.subscribe(channel={"type": "webhook", "url": receiver.url})
        publish(notify.settings, *[classified() for _ in range(6)])
        # Down: every alert is tried at least twice and fails.
        down = receiver.wait(lambda h: len(h) >= 12 and len({x.headers["webhook-id"] for x in h}) == 6)
        assert len({h.headers["webhook-id"] for h in down}) == 6, f"only {len(down)} attempts"
        up["value"] = True
        hits = receiver.wait(lambda h: len(delivered_ids(h)) == 6)
        ok = delivered_ids(hits)
        assert len(ok) == 6 and set(ok.values()) == {1}
    finally:
        notify.stop()


def test_worker_killed_mid_stream_and_restarted_loses_nothing(
    settings: Settings, tmp_path: Path, receiver: Receiver
) -> None:
    receiver.delay_s = 0.05
    notify = start(settings, tmp_path, notify_delivery_concurrency=2, notify_inflight_per_subscription=1)
    try:
        notify.subscribe(channel={"type": "webhook", "url": receiver.url})
        articles = [classified() for _ in range(40)]
        publish(notify.settings, *articles, key=None)
        receiver.wait(lambda h: len(h) >= 3)
        notify.kill_worker()
        before = len(delivered_ids(receiver.snapshot()))
        assert before < 40, "the worker finished before it could be killed; the test proves nothing"
        notify.start_worker()
        hits = receiver.wait(lambda h: len(delivered_ids(h)) >= 40, timeout_s=90)
        assert len(delivered_ids(hits)) == 40
    finally:
        notify.stop()


def test_ssrf_rechecked_at_delivery_then_dlq_and_auto_pause(
    settings: Settings, tmp_path: Path, receiver: Receiver
) -> None:
    # The API allowed the URL (say DNS answered a public address then); the worker, seeing it now
    # resolve to loopback, must refuse it.
    notify = Notify(fast(settings, notify_pause_after_failures=1), tmp_path / "logs")
    notify.settings = fast(settings, notify_pause_after_failures=1)
    notify.start()
    try:
        sub = notify.subscribe(channel={"type": "webhook", "url": receiver.url})
        notify.worker.stop()  # type: ignore[union-attr]
        notify.settings = fast(settings, notify_pause_after_failures=1, allow_private_urls=False)
        notify.start_worker()
        publish(notify.settings, classified())
        records = notify.wait_deliveries(sub["id"], lambda r: len(r) >= 1)
        assert records[0]["outcome"] == "failed" and "refused URL" in records[0]["error"], records
        assert receiver.snapshot() == []
        consumer = make_consumer(notify.settings, notify.settings.topic_alerts_dlq, group="dlq-reader")
        try:
            batch = consumer.poll(timeout_ms=15_000, max_records=10)
            dead = [json.loads(m.value) for msgs in batch.values() for m in msgs]
        finally:
            consumer.close()
        assert len(dead) == 1 and "refused URL" in dead[0]["error"]
        paused = notify.get(f"/v1/subscriptions/{sub['id']}")
        assert paused["active"] is False and "refused URL" in paused["paused_reason"]
    finally:
        notify.stop()


def test_slack_block_kit_and_429_retry_after(settings: Settings, tmp_path: Path) -> None:
    slack = Receiver(respond=lambda n, _b: (429, {"Retry-After": "1"}, b"rate_limited") if n == 1 else (200, {}, b"ok"))
    notify = start(settings, tmp_path)
    try:
        sub = notify.subscribe(channel={"type": "slack", "url": slack.url})
        publish(notify.settings, classified(title="Sides swap 40 prisoners", url="https://news.example/swap"))
        hits = slack.wait(lambda h: len(h) >= 2)
        assert [h.status for h in hits] == [429, 200]
        msg = hits[1].json()
        assert msg["text"] == "Herald alert: Sides swap 40 prisoners"
        assert [b["type"] for b in msg["blocks"]] == ["header", "section", "section", "context", "actions"]
        assert msg["blocks"][0]["text"] == {"type": "plain_text", "text": "Herald: prisoner_exchange"}
        assert "<https://news.example/swap|Sides swap 40 prisoners>" in msg["blocks"][1]["text"]["text"]
        assert "> evidence for prisoner_exchange" in msg["blocks"][2]["text"]["text"]
        assert msg["blocks"][4]["elements"][0]["url"] == "https://news.example/swap"
        records = notify.wait_deliveries(sub["id"], lambda r: len(r) >= 2)
        retry = records[1]
        assert retry["status_code"] == 429 and "rate_limited" in retry["error"]
        from datetime import datetime

        wait = datetime.fromisoformat(retry["next_retry_at"]) - datetime.fromisoformat(retry["at"])
        assert wait.total_seconds() >= 0.9  # the receiver's Retry-After, not the 0.2 s schedule
    finally:
        notify.stop()
        slack.close()


def test_digest_groups_alerts_like_alertmanager(settings: Settings, tmp_path: Path, receiver: Receiver) -> None:
    notify = start(settings, tmp_path)
    try:
        sub = notify.subscribe(
            channel={"type": "webhook", "url": receiver.url},
            grouping={"group_wait_seconds": 2, "group_interval_seconds": 3},
        )
        publish(notify.settings, *[classified(title=f"swap {i}") for i in range(3)])
        first = receiver.wait(lambda h: len(h) >= 1)
        body = first[0].json()
        assert body["type"] == "alert.digest" and body["data"]["count"] == 3
        assert first[0].headers["webhook-id"] == body["data"]["digest_id"]
        Webhook(sub["secret"]).verify(first[0].body, first[0].headers)
        publish(notify.settings, classified(title="swap 3"), classified(title="swap 4"))
        both = receiver.wait(lambda h: len(h) >= 2)
        second = both[1].json()
        assert second["type"] == "alert.digest" and second["data"]["count"] == 2
        assert both[1].at - both[0].at >= 2.9  # group_interval after the previous digest
        records = notify.wait_deliveries(sub["id"], lambda r: len(r) >= 2)
        assert [(r["kind"], len(r["alert_ids"])) for r in records] == [("digest", 2), ("digest", 3)]
    finally:
        notify.stop()


def test_stream_channel_serves_server_sent_events(settings: Settings, tmp_path: Path) -> None:
    notify = start(settings, tmp_path)
    try:
        sub = notify.subscribe(channel={"type": "stream"})
        publish(notify.settings, classified(title="streamed swap"))
        notify.wait_deliveries(sub["id"], lambda r: len(r) >= 1)
        frames: list[str] = []
        headers = notify.auth | {"Last-Event-ID": "0-0"}
        with httpx.stream("GET", f"{notify.url}/v1/subscriptions/{sub['id']}/stream", headers=headers, timeout=10) as r:
            assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
            for line in r.iter_lines():
                frames.append(line)
                if line.startswith("data: "):
                    break
        event = json.loads(frames[-1].removeprefix("data: "))
        assert "event: alert.created" in frames
        assert event["data"]["article"]["title"] == "streamed swap"
        assert any(f.startswith("id: ") for f in frames)
    finally:
        notify.stop()
