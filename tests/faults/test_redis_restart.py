"""Fault injection: Redis restarted (AOF on) while a retry is scheduled; nothing is forgotten.

Injected: the receiver answers 500, then Redis is stopped and started again from its AOF,
then the receiver recovers. Checked: the subscription is still there, the scheduled retry is
delivered (same webhook-id as the failed attempt), and exactly one delivery is recorded.
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from herald.local import free_port, start_redis
from services.runtime.settings import Settings
from tests.support.receiver import Received, WebhookReceiver
from tests.support.system import start_services

pytestmark = pytest.mark.e2e

KEY = "hk_test_redis_restart_0123456789"


def test_subscriptions_and_scheduled_retries_survive_a_redis_restart(settings: Settings, tmp_path: Path) -> None:
    port = free_port()
    redis_dir = tmp_path / "redis"
    redis = start_redis(port, redis_dir, persist=True)
    settings = settings.model_copy(update={"redis_url": f"redis://127.0.0.1:{port}/0"})
    failing = {"on": True}

    def respond(_request: Received) -> int:
        return 500 if failing["on"] else 204

    receiver = WebhookReceiver(respond)
    system = start_services(
        settings,
        tmp_path,
        KEY,
        notify_retry_schedule_seconds="[2, 2, 2, 2, 2, 2]",
        notify_retry_jitter="0",
        notify_delivery_lease_seconds="2",
    )
    try:
        notify = f"http://{settings.host}:{settings.notify_port}"
        auth = {"Authorization": f"Bearer {KEY}"}
        created = httpx.post(
            f"{notify}/v1/subscriptions",
            headers=auth,
            timeout=10,
            json={
                "name": "survivor",
                "topics": ["prisoner_exchange"],
                "channel": {"type": "webhook", "url": receiver.url},
            },
        )
        assert created.status_code == 201, created.text
        sub_id = created.json()["id"]
        posted = httpx.post(
            f"http://{settings.host}:{settings.ingest_port}/v1/articles",
            timeout=30,
            json={
                "title": "Armies swap 75 prisoners of war",
                "body": "The two sides exchanged 75 prisoners of war on Friday in a swap mediated by Turkey.",
            },
        )
        assert posted.status_code == 202, posted.text
        first = receiver.wait_for(1, timeout_s=60)
        assert first, f"no first attempt (logs in {tmp_path / 'logs'})"

        redis.stop()  # SIGTERM: Redis writes its AOF and exits
        redis = start_redis(port, redis_dir, persist=True)
        failing["on"] = False

        got = receiver.wait_for(len(first) + 1, timeout_s=60)
        delivered = [r for r in got[len(first) :]]
        print(f"injected: 500s then a Redis restart; attempts seen {len(got)}")
        assert delivered, "the scheduled retry was lost with the Redis restart"
        assert {r.headers["webhook-id"] for r in got} == {first[0].headers["webhook-id"]}
        still = httpx.get(f"{notify}/v1/subscriptions/{sub_id}", headers=auth, timeout=10)
        assert still.status_code == 200, still.text
        log = httpx.get(f"{notify}/v1/subscriptions/{sub_id}/deliveries", headers=auth, timeout=10).json()
        assert [d["outcome"] for d in log].count("delivered") == 1, log
    finally:
        system.stop()
        receiver.close()
        redis.stop()
