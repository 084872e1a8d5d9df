"""With HERALD_INGEST_REQUIRE_API_KEY on, articles and feeds need a known bearer key."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from services.ingest.api import create_app
from services.runtime.kafka import ensure_topics
from services.runtime.settings import Settings

pytestmark = pytest.mark.integration

ARTICLE = {"title": "Aid convoy reaches the city", "body": "Twelve trucks of flour and medicine arrived on Monday."}


def test_keys_are_required_when_the_operator_turns_them_on(settings: Settings) -> None:
    ensure_topics(settings, (settings.topic_articles_raw,))
    key = "hk_ingest_test_key_0123456789"
    app = create_app(
        settings.model_copy(
            update={"ingest_feeds_enabled": False, "ingest_require_api_key": True, "bootstrap_api_key": SecretStr(key)}
        )
    )
    with TestClient(app) as client:
        missing = client.post("/v1/articles", json=ARTICLE)
        assert missing.status_code == 401 and "missing" in missing.json()["detail"]
        wrong = client.post("/v1/articles", json=ARTICLE, headers={"Authorization": "Bearer hk_nope"})
        assert wrong.status_code == 401 and "unknown" in wrong.json()["detail"]
        assert client.get("/v1/feeds").status_code == 401
        good = client.post("/v1/articles", json=ARTICLE, headers={"Authorization": f"Bearer {key}"})
        assert good.status_code == 202, good.text
        assert client.get("/v1/feeds", headers={"Authorization": f"Bearer {key}"}).status_code == 200
        assert client.get("/healthz").status_code == 200  # probes never need a key


def test_keys_are_not_needed_by_default(settings: Settings) -> None:
    ensure_topics(settings, (settings.topic_articles_raw,))
    with TestClient(create_app(settings.model_copy(update={"ingest_feeds_enabled": False}))) as client:
        assert client.post("/v1/articles", json=ARTICLE).status_code == 202
