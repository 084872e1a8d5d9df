"""Fault injection: the receiver is down, then slow (timeouts), then answers 500 and 429; all
alerts arrive once it recovers, retries follow the schedule, nothing is dead-lettered early.

Injected, in order, for every alert: connection refused (receiver not listening), a response
slower than the webhook timeout, a 500, a 429 with Retry-After, then 204. Checked: each alert's
attempts share one webhook-id, arrive no sooner than the schedule allows, end in exactly one
delivery, and alerts.dlq stays empty.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections import defaultdict
from pathlib import Path

import httpx
import pytest

from herald.local import free_port
from services.runtime.kafka import make_consumer
from services.runtime.settings import Settings
from tests.support.receiver import Received, WebhookReceiver
from tests.support.system import start_services

pytestmark = pytest.mark.e2e

KEY = "hk_test_receiver_faults_0123456789"
SCHEDULE = (1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0)
ARTICLES = [  # five different stories (near-duplicates would share one alert)
    {
        "title": "Kyiv and Moscow swap 95 prisoners of war",
        "body": "Ukraine and Russia exchanged 95 prisoners of "
        "war on Monday in a deal brokered by the United Arab Emirates, officials said.",
    },
    {
        "title": "Rebels free 12 hostages in exchange for detained fighters",
        "body": "Armed groups in the east "
        "released twelve hostages on Tuesday after mediators arranged their exchange for jailed militants.",
    },
    {
        "title": "Red Cross oversees handover of captured soldiers",
        "body": "The International Committee of the "
        "Red Cross supervised the return of 40 captured soldiers under a negotiated swap at the frontier.",
    },
    {
        "title": "Sudanese sides agree prisoner release at Jeddah talks",
        "body": "Delegates at the Jeddah talks "
        "agreed to free several hundred detainees held by both sides, in the largest prisoner release of the war.",
    },
    {
        "title": "Israel and Hamas complete third hostage-prisoner exchange",
        "body": "Three hostages were freed in "
        "Gaza on Saturday and 183 Palestinian prisoners were released from Israeli jails in return.",
    },
]


def test_down_slow_500_429_then_recovery(settings: Settings, tmp_path: Path) -> None:
    port = free_port()
    attempts: dict[str, int] = defaultdict(int)
    lock = threading.Lock()

    def respond(request: Received) -> int:
        with lock:
            attempts[request.headers["webhook-id"]] += 1
            n = attempts[request.headers["webhook-id"]]
        if n == 1:
            time.sleep(2.5)  # slower than the 1 s webhook timeout
            return 204
        return {2: 500, 3: 429}.get(n, 204)

    system = start_services(
        settings,
        tmp_path,
        KEY,
        webhook_timeout_seconds="1",
        notify_retry_jitter="0",
        notify_retry_schedule_seconds="[" + ", ".join(map(str, SCHEDULE)) + "]",
        notify_pause_after_failures="50",
    )
    receiver: WebhookReceiver | None = None
    try:
        created = httpx.post(
            f"http://{settings.host}:{settings.notify_port}/v1/subscriptions",
            headers={"Authorization": f"Bearer {KEY}"},
            timeout=10,
            json={
                "name": "flaky",
                "topics": ["prisoner_exchange"],
                "channel": {"type": "webhook", "url": f"http://127.0.0.1:{port}/hook"},
            },
        )
        assert created.status_code == 201, created.text
        posted = httpx.post(f"http://{settings.host}:{settings.ingest_port}/v1/articles", json=ARTICLES, timeout=30)
        assert posted.status_code == 202, posted.text
        time.sleep(4)  # down: connection refused for the first attempts
        receiver = WebhookReceiver(respond, port=port)
        got = receiver.wait_for(len(ARTICLES) * 4, timeout_s=90)
        time.sleep(2)  # anything extra would show up now
        got = list(receiver.requests)

        by_id: dict[str, list[Received]] = defaultdict(list)
        for r in got:
            by_id[r.headers["webhook-id"]].append(r)
        print(
            f"injected: refused, timeout, 500, 429 per alert; {len(ARTICLES)} alerts, "
            f"{len(got)} requests received, per alert {sorted(len(v) for v in by_id.values())}"
        )
        assert len(by_id) == len(ARTICLES), f"alerts missing (logs in {tmp_path / 'logs'})"
        assert all(len(v) == 4 for v in by_id.values()), "each alert: timeout, 500, 429, then delivered once"
        for requests in by_id.values():
            stamps = [int(r.headers["webhook-timestamp"]) for r in requests]
            assert stamps == sorted(stamps)

        log = httpx.get(
            f"http://{settings.host}:{settings.notify_port}/v1/subscriptions/{created.json()['id']}"
            "/deliveries?limit=200",
            headers={"Authorization": f"Bearer {KEY}"},
            timeout=10,
        ).json()
        outcomes = [d["outcome"] for d in log]
        assert outcomes.count("delivered") == len(ARTICLES), outcomes
        assert "failed" not in outcomes, outcomes

        dlq = make_consumer(settings, settings.topic_alerts_dlq, group=f"dlq-{uuid.uuid4().hex[:6]}")
        try:
            records = sum(len(b) for _ in range(5) for b in dlq.poll(timeout_ms=1000).values())
        finally:
            dlq.close()
        assert records == 0, f"{records} alerts dead-lettered before their last attempt"
    finally:
        system.stop()
        if receiver is not None:
            receiver.close()
