"""Subscription API: tenants authenticate with bearer keys and manage their subscriptions."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException, Query, Request, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from prometheus_client import CollectorRegistry

from schemas.subscriptions import DeliveryRecord, Subscription, SubscriptionCreated, SubscriptionIn
from services.notify.metrics import NotifyApiMetrics
from services.notify.subscriptions import ApiKeys, Keys, SubscriptionStore
from services.runtime.health import health_router, tcp_check
from services.runtime.redis import async_client
from services.runtime.settings import Settings
from services.runtime.ssrf import UnsafeURL, guard_url

_bearer = HTTPBearer(auto_error=False)


async def current_tenant(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> str:
    """The tenant of the bearer API key; 401 when the key is missing or unknown."""
    if credentials is None:
        raise HTTPException(401, "missing bearer API key", {"WWW-Authenticate": "Bearer"})
    keys: ApiKeys = request.app.state.api_keys
    found = await keys.tenant_of(credentials.credentials)
    if found is None:
        raise HTTPException(401, "unknown API key", {"WWW-Authenticate": "Bearer"})
    return found


Tenant = Annotated[str, Depends(current_tenant)]


def create_app(settings: Settings, registry: CollectorRegistry | None = None) -> FastAPI:
    """Build the notify API app bound to the configured Redis."""
    registry = registry or CollectorRegistry()
    metrics = NotifyApiMetrics(registry)
    redis = async_client(settings)
    names = Keys(settings.redis_prefix)
    keys = ApiKeys(redis, names)
    store = SubscriptionStore(redis, names)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if settings.bootstrap_api_key is not None:
            await keys.register(settings.bootstrap_api_key.get_secret_value(), "default")
        yield
        await redis.aclose()

    async def redis_ping() -> None:
        await redis.ping()

    app = FastAPI(title="Herald notify", version="1", lifespan=lifespan)
    app.include_router(health_router(registry, {"redis": redis_ping, "kafka": tcp_check(settings.kafka_bootstrap)}))

    app.state.api_keys = keys

    @app.post("/v1/subscriptions", status_code=201, response_model=SubscriptionCreated)
    async def create_subscription(body: SubscriptionIn, who: Tenant) -> SubscriptionCreated:
        try:
            await guard_url(str(body.channel.url), settings.allow_private_urls)
        except UnsafeURL as exc:
            raise HTTPException(422, f"channel.url: {exc}") from exc
        created = await store.create(who, body)
        metrics.subscriptions_changed.labels("create").inc()
        return created

    @app.get("/v1/subscriptions", response_model=list[Subscription])
    async def list_subscriptions(
        who: Tenant,
        offset: Annotated[int, Query(ge=0)] = 0,
        limit: Annotated[int, Query(ge=1, le=500)] = 100,
    ) -> list[Subscription]:
        return await store.page(who, offset, limit)

    @app.get("/v1/subscriptions/{sub_id}", response_model=Subscription)
    async def get_subscription(sub_id: str, who: Tenant) -> Subscription:
        sub = await store.get(who, sub_id)
        if sub is None:
            raise HTTPException(404, f"subscription {sub_id} not found")
        return sub

    @app.delete("/v1/subscriptions/{sub_id}", status_code=204)
    async def delete_subscription(sub_id: str, who: Tenant) -> Response:
        if not await store.delete(who, sub_id):
            raise HTTPException(404, f"subscription {sub_id} not found")
        metrics.subscriptions_changed.labels("delete").inc()
        return Response(status_code=204)

    @app.get("/v1/subscriptions/{sub_id}/deliveries", response_model=list[DeliveryRecord])
    async def list_deliveries(
        sub_id: str, who: Tenant, limit: Annotated[int, Query(ge=1, le=200)] = 50
    ) -> list[DeliveryRecord]:
        if await store.get(who, sub_id) is None:
            raise HTTPException(404, f"subscription {sub_id} not found")
        raws = await redis.lrange(names.deliveries(sub_id), 0, limit - 1)
        return [DeliveryRecord.model_validate_json(r) for r in raws]

    return app
