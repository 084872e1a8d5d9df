"""The whole path as processes: ingest -> classify -> notify -> a signed webhook."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from standardwebhooks import Webhook

from services.runtime.settings import Settings
from tests.support.receiver import WebhookReceiver
from tests.support.system import start_services

pytestmark = pytest.mark.e2e

ARTICLE = {
    "title": "Prisoner swap frees 90 soldiers as residents flee shelled town",
    "body": (
        "Ukraine and Russia exchanged 90 prisoners of war on Saturday in a swap brokered by Turkey, "
        "officials said. Separately, authorities evacuated about 300 residents from a frontline town "
        "after days of bombardment, moving them west by bus and train."
    ),
    "url": "https://test.herald.example/e2e/swap-and-evacuation?utm_source=test",
    "source": "Herald Test Wire",
    "published_at": "2026-11-29T10:00:00Z",
}


def test_article_to_signed_webhook(settings: Settings, tmp_path: Path) -> None:
    api_key = "hk_test_e2e_key_0123456789"
    receiver = WebhookReceiver()
    system = start_services(settings, tmp_path, api_key)
    try:
        auth = {"Authorization": f"Bearer {api_key}"}
        notify = f"http://{settings.host}:{settings.notify_port}"
        sub = httpx.post(
            f"{notify}/v1/subscriptions",
            headers=auth,
            json={"name": "e2e", "topics": ["prisoner_exchange"], "channel": {"type": "webhook", "url": receiver.url}},
            timeout=10,
        )
        assert sub.status_code == 201, sub.text
        secret = sub.json()["secret"]
        assert secret.startswith("whsec_")

        posted = httpx.post(f"http://{settings.host}:{settings.ingest_port}/v1/articles", json=ARTICLE, timeout=30)
        assert posted.status_code == 202, posted.text
        (article_id,) = posted.json()["ids"]

        got = receiver.wait_for(1, timeout_s=60)
        assert len(got) == 1, f"expected one webhook, got {len(got)}; logs in {tmp_path / 'logs'}"
        request = got[0]
        Webhook(secret).verify(request.body, request.headers)  # raises if the signature is wrong
        event = json.loads(request.body)
        assert event["type"] == "alert.created"
        data = event["data"]
        assert request.headers["webhook-id"] == data["alert_id"]
        assert data["subscription_id"] == sub.json()["id"]
        assert data["article"]["id"] == article_id
        topics = {t["topic"] for t in data["topics"]}
        assert {"prisoner_exchange", "evacuation"} <= topics
        assert all(t["evidence"] for t in data["topics"]), data["topics"]
        assert data["matched_topics"] == ["prisoner_exchange"]

        # The delivery is recorded, and nothing is sent twice.
        deliveries = httpx.get(f"{notify}/v1/subscriptions/{sub.json()['id']}/deliveries", headers=auth, timeout=10)
        assert [d["outcome"] for d in deliveries.json()] == ["delivered"]
        assert len(receiver.wait_for(2, timeout_s=3)) == 1
    finally:
        system.stop()
        receiver.close()
