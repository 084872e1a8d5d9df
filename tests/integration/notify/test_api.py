"""The subscription API against a real Redis: auth, tenant isolation, validation, SSRF at creation,
PATCH, pause/resume, secret rotation, pagination, limits, test events and preview."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from standardwebhooks import Webhook

from services.notify.api import create_app
from services.runtime.redis import async_client
from services.runtime.settings import Settings
from tests.integration.notify.harness import API_KEY, Receiver, classified, fast

pytestmark = pytest.mark.integration

WEBHOOK = {"type": "webhook", "url": "http://127.0.0.1:9/hook"}


async def _client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://notify") as client:
            client.headers["Authorization"] = f"Bearer {API_KEY}"
            client.app = app  # type: ignore[attr-defined]
            yield client


@pytest.fixture
async def api(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    async for client in _client(fast(settings, notify_max_subscriptions_per_tenant=5)):
        yield client


@pytest.fixture
async def strict_api(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    async for client in _client(fast(settings, allow_private_urls=False)):
        yield client


async def other_tenant(api: httpx.AsyncClient, tenant: str) -> dict[str, str]:
    key = await api.app.state.api_keys.create(tenant)  # type: ignore[attr-defined]
    return {"Authorization": f"Bearer {key}"}


async def create(api: httpx.AsyncClient, **body: Any) -> dict[str, Any]:
    body.setdefault("name", "s")
    body.setdefault("topics", ["evacuation"])
    body.setdefault("channel", WEBHOOK)
    r = await api.post("/v1/subscriptions", json=body)
    assert r.status_code == 201, r.text
    return dict(r.json())


async def test_missing_or_wrong_key_is_401(api: httpx.AsyncClient) -> None:
    r = await api.get("/v1/subscriptions", headers={"Authorization": ""})
    assert r.status_code == 401
    r = await api.get("/v1/subscriptions", headers={"Authorization": "Bearer nope"})
    assert r.status_code == 401


async def test_a_key_sees_only_its_own_tenant(api: httpx.AsyncClient) -> None:
    mine = await create(api, name="mine")
    theirs = await other_tenant(api, "acme")
    sub = f"/v1/subscriptions/{mine['id']}"
    for method, path in [
        ("GET", sub),
        ("PATCH", sub),
        ("DELETE", sub),
        ("GET", sub + "/deliveries"),
        ("POST", sub + "/pause"),
        ("POST", sub + "/resume"),
        ("POST", sub + "/rotate-secret"),
        ("POST", sub + "/test"),
        ("POST", sub + "/preview"),
        ("GET", sub + "/stream"),
    ]:
        kwargs: dict[str, Any] = {"json": {"name": "x"}} if method == "PATCH" else {}
        r = await api.request(method, path, headers=theirs, **kwargs)
        assert r.status_code == 404, (method, path, r.status_code)
    r = await api.get("/v1/subscriptions", headers=theirs)
    assert r.json() == []
    assert (await api.get(sub)).json()["name"] == "mine"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"topics": ["Not A Topic"]}, "topics.0"),
        ({"topics": []}, "topics"),
        ({"channel": {"type": "webhook", "url": "not a url"}}, "channel.url"),
        ({"channel": {"type": "pigeon"}}, "channel"),
        ({"min_score": 2}, "min_score"),
        ({"max_per_hour": 0}, "max_per_hour"),
        ({"languages": ["english!"]}, "languages.0"),
        ({"grouping": {"group_wait_seconds": -1}}, "grouping.group_wait_seconds"),
        ({"colour": "red"}, "colour"),
        ({"query": '"unbalanced'}, "query"),
        ({"query": "a AND"}, "query"),
    ],
)
async def test_validation_errors_name_the_field(api: httpx.AsyncClient, body: dict[str, Any], field: str) -> None:
    full = {"name": "s", "topics": ["evacuation"], "channel": WEBHOOK} | body
    r = await api.post("/v1/subscriptions", json=full)
    assert r.status_code == 422, r.text
    assert r.json()["detail"].startswith(f"{field}:"), r.json()


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/hook",
        "http://localhost/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.5/hook",
        "http://[::1]/hook",
        "ftp://example.com/hook",
        "http://user:pw@example.com/hook",
    ],
)
async def test_ssrf_refused_at_creation(strict_api: httpx.AsyncClient, url: str) -> None:
    for kind in ("webhook", "slack"):
        r = await strict_api.post(
            "/v1/subscriptions", json={"name": "s", "topics": ["evacuation"], "channel": {"type": kind, "url": url}}
        )
        assert r.status_code == 422, r.text
        assert r.json()["detail"].startswith("channel.url"), r.json()


async def test_ssrf_refused_on_patch(strict_api: httpx.AsyncClient) -> None:
    sub = await create(strict_api, channel={"type": "stream"})
    r = await strict_api.patch(
        f"/v1/subscriptions/{sub['id']}", json={"channel": {"type": "webhook", "url": "http://127.0.0.1/x"}}
    )
    assert r.status_code == 422 and r.json()["detail"].startswith("channel.url")


async def test_patch_pause_resume_and_secrets_never_shown_again(api: httpx.AsyncClient) -> None:
    sub = await create(api, query="evacuat*", places=["Kyiv"])
    assert sub["secret"].startswith("whsec_")
    path = f"/v1/subscriptions/{sub['id']}"
    r = await api.patch(path, json={"topics": ["prisoner_exchange", "evacuation"], "match": "all", "query": None})
    assert r.status_code == 200, r.text
    got = r.json()
    assert got["topics"] == ["prisoner_exchange", "evacuation"] and got["match"] == "all"
    assert got["query"] is None and got["places"] == ["Kyiv"]
    assert (await api.patch(path, json={"name": None})).json()["detail"].startswith("body:")
    assert (await api.patch(path, json={"nmae": "typo"})).status_code == 422

    paused = (await api.post(path + "/pause")).json()
    assert paused["active"] is False and paused["paused_reason"] == "paused by the subscriber"
    resumed = (await api.post(path + "/resume")).json()
    assert resumed["active"] is True and resumed["paused_reason"] is None

    rotated = (await api.post(path + "/rotate-secret")).json()
    assert rotated["secret"].startswith("whsec_") and rotated["secret"] != sub["secret"]
    assert rotated["previous_valid_until"] is not None
    for body in ((await api.get(path)).text, (await api.get("/v1/subscriptions")).text):
        assert sub["secret"] not in body and rotated["secret"] not in body and "secret" not in body

    assert (await api.delete(path)).status_code == 204
    assert (await api.get(path)).status_code == 404


async def test_pagination_and_tenant_limit(api: httpx.AsyncClient) -> None:
    ids = [(await create(api, name=f"s{i}"))["id"] for i in range(5)]
    r = await api.get("/v1/subscriptions", params={"limit": 2})
    assert r.headers["x-total-count"] == "5"
    seen = [s["id"] for s in r.json()]
    while "link" in r.headers:
        nxt = r.headers["link"].split(";")[0].strip("<>")
        r = await api.get(nxt)
        seen += [s["id"] for s in r.json()]
    assert seen == ids
    r = await api.post("/v1/subscriptions", json={"name": "6", "topics": ["evacuation"], "channel": WEBHOOK})
    assert r.status_code == 409 and "maximum of 5" in r.json()["detail"]


async def test_test_event_is_signed_and_recorded(api: httpx.AsyncClient) -> None:
    receiver = Receiver()
    try:
        sub = await create(api, channel={"type": "webhook", "url": receiver.url})
        r = await api.post(f"/v1/subscriptions/{sub['id']}/test")
        assert r.status_code == 200, r.text
        result = r.json()
        assert result["delivered"] is True and result["status_code"] == 204
        (hit,) = receiver.snapshot()
        assert Webhook(sub["secret"]).verify(hit.body, hit.headers)["type"] == "test"
        assert hit.headers["webhook-id"] == result["event_id"]
        records = (await api.get(f"/v1/subscriptions/{sub['id']}/deliveries")).json()
        assert [(d["kind"], d["outcome"]) for d in records] == [("test", "delivered")]

        receiver.respond = lambda _n, _b: (410, {}, b"gone")
        failed = (await api.post(f"/v1/subscriptions/{sub['id']}/test")).json()
        assert failed["delivered"] is False and failed["status_code"] == 410
    finally:
        receiver.close()


async def test_preview_dry_runs_over_recent_articles(api: httpx.AsyncClient, settings: Settings) -> None:
    recent = [
        classified(title="Kyiv evacuation", body="Residents evacuated from Kyiv.", topics={"evacuation": 0.8}),
        classified(title="Gaza aid", body="Aid trucks entered.", topics={"humanitarian_aid": 0.8}),
        classified(title="Kharkiv evacuation", body="Buses left Kharkiv.", topics={"evacuation": 0.7}),
    ]
    redis = async_client(settings)
    try:
        await redis.lpush(f"{settings.redis_prefix}recent:articles", *[a.model_dump_json() for a in recent])
    finally:
        await redis.aclose()
    sub = await create(api, query="kyiv", active=False)
    r = await api.post(f"/v1/subscriptions/{sub['id']}/preview")
    assert r.status_code == 200, r.text
    assert r.json()["examined"] == 3
    assert [h["title"] for h in r.json()["matched"]] == ["Kyiv evacuation"]
    draft = {"name": "d", "topics": ["evacuation"], "channel": WEBHOOK}
    r = await api.post("/v1/subscriptions/preview", json=draft)
    assert sorted(h["title"] for h in r.json()["matched"]) == ["Kharkiv evacuation", "Kyiv evacuation"]
    assert (await api.get("/v1/subscriptions", params={"limit": 10})).headers["x-total-count"] == "1"
