"""Subscription API: tenants authenticate with bearer keys and manage their subscriptions."""

from __future__ import annotations

import secrets
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Annotated, Any

import httpx
from fastapi import Depends, FastAPI, Header, HTTPException, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, StreamingResponse
from prometheus_client import CollectorRegistry

from schemas.models import ClassifiedArticle
from schemas.subscriptions import (
    DeliveryRecord,
    Preview,
    PreviewHit,
    SecretRotated,
    SlackChannel,
    Subscription,
    SubscriptionCreated,
    SubscriptionFields,
    SubscriptionIn,
    SubscriptionPatch,
    TestResult,
    WebhookChannel,
)
from services.notify import sse
from services.notify.channels import ChannelContext, build_channels
from services.notify.delivery import DeliveryLog
from services.notify.exceptions import DeliveryError, QuerySyntaxError, TenantLimitReached
from services.notify.matcher import ArticleView, CompiledFilter, test
from services.notify.metrics import NotifyApiMetrics
from services.notify.payloads import Outgoing
from services.notify.query import parse
from services.notify.queue import DeliveryQueue
from services.notify.subscriptions import Keys, SubscriptionStore
from services.runtime.apikeys import ApiKeyStore, require_tenant
from services.runtime.health import health_router, tcp_check
from services.runtime.redis import async_client
from services.runtime.settings import Settings
from services.runtime.ssrf import UnsafeURL, guard_url

Tenant = Annotated[str, Depends(require_tenant)]


def _field_path(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    # Drop discriminator tags such as "webhook" that pydantic inserts into union paths.
    return ".".join(p for p in parts if p not in ("webhook", "slack", "stream")) or "body"


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = exc.errors()
    first = errors[0] if errors else {"loc": (), "msg": "invalid request"}
    message = f"{_field_path(tuple(first['loc']))}: {first['msg']}"
    detail = [{"field": _field_path(tuple(e["loc"])), "message": e["msg"], "type": e.get("type")} for e in errors]
    return JSONResponse({"detail": message, "errors": detail}, status_code=422)


def create_app(settings: Settings, registry: CollectorRegistry | None = None) -> FastAPI:
    """Build the notify API app bound to the configured Redis."""
    registry = registry or CollectorRegistry()
    metrics = NotifyApiMetrics(registry)
    redis = async_client(settings)
    names = Keys(settings.redis_prefix)
    keys = ApiKeyStore(redis, settings.redis_prefix)
    store = SubscriptionStore(redis, names)
    queue = DeliveryQueue(redis, names, settings.notify_dedupe_ttl_seconds)
    records = DeliveryLog(redis, names, settings.notify_delivery_log_length)
    http = httpx.AsyncClient(timeout=settings.webhook_timeout_seconds, follow_redirects=False)
    channels = build_channels(ChannelContext.from_settings(settings, http, redis, names))

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if settings.bootstrap_api_key is not None:
            await keys.register(settings.bootstrap_api_key.get_secret_value(), "default")
        yield
        await http.aclose()
        await redis.aclose()

    async def redis_ping() -> None:
        await redis.ping()

    app = FastAPI(
        title="Herald notify",
        version="1",
        lifespan=lifespan,
        description="Subscriptions to news topics, delivered by webhook, Slack or server-sent events.",
    )
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.include_router(health_router(registry, {"redis": redis_ping, "kafka": tcp_check(settings.kafka_bootstrap)}))
    app.state.api_keys = keys

    async def check_fields(fields: SubscriptionFields | SubscriptionPatch) -> None:
        if fields.query is not None:
            try:
                parse(fields.query)
            except QuerySyntaxError as exc:
                raise HTTPException(422, f"query: {exc}") from exc
        channel = fields.channel
        if isinstance(channel, WebhookChannel | SlackChannel):
            try:
                await guard_url(str(channel.url), settings.allow_private_urls)
            except UnsafeURL as exc:
                raise HTTPException(422, f"channel.url: {exc}") from exc

    async def owned(who: str, sub_id: str) -> Subscription:
        sub = await store.get(who, sub_id)
        if sub is None:
            raise HTTPException(404, f"subscription {sub_id} not found")
        return sub

    @app.post("/v1/subscriptions", status_code=201, response_model=SubscriptionCreated)
    async def create_subscription(body: SubscriptionIn, who: Tenant) -> SubscriptionCreated:
        """Create a subscription; the answer carries its signing secret, shown this once."""
        await check_fields(body)
        try:
            created = await store.create(who, body, settings.notify_max_subscriptions_per_tenant)
        except TenantLimitReached as exc:
            raise HTTPException(409, str(exc)) from exc
        metrics.subscriptions_changed.labels("create").inc()
        return created

    @app.get("/v1/subscriptions", response_model=list[Subscription])
    async def list_subscriptions(
        request: Request,
        response: Response,
        who: Tenant,
        offset: Annotated[int, Query(ge=0)] = 0,
        limit: Annotated[int, Query(ge=1, le=500)] = 100,
    ) -> list[Subscription]:
        """The tenant's subscriptions, oldest first; ``X-Total-Count`` and a ``Link: rel=next`` page."""
        total = await store.count(who)
        page = await store.page(who, offset, limit)
        response.headers["X-Total-Count"] = str(total)
        if offset + limit < total:
            nxt = request.url.include_query_params(offset=offset + limit, limit=limit)
            response.headers["Link"] = f'<{nxt}>; rel="next"'
        return page

    @app.post("/v1/subscriptions/preview", response_model=Preview)
    async def preview_draft(
        body: SubscriptionIn, who: Tenant, limit: Annotated[int, Query(ge=1, le=5_000)] = 200
    ) -> Preview:
        """Which recent articles a subscription with this body would have matched (nothing is stored)."""
        await check_fields(body)
        now = datetime.now(UTC)
        draft = Subscription(id="sub_draft", tenant=who, created_at=now, **body.model_dump() | {"active": True})
        return await preview(draft, limit)

    @app.get("/v1/subscriptions/{sub_id}", response_model=Subscription)
    async def get_subscription(sub_id: str, who: Tenant) -> Subscription:
        """One subscription (404 when it is not the tenant's)."""
        return await owned(who, sub_id)

    @app.patch("/v1/subscriptions/{sub_id}", response_model=Subscription)
    async def patch_subscription(sub_id: str, body: SubscriptionPatch, who: Tenant) -> Subscription:
        """Change some fields; ``active: true`` resumes (and clears the pause reason)."""
        await owned(who, sub_id)
        await check_fields(body)
        updated = await store.update(who, sub_id, body)
        if updated is None:
            raise HTTPException(404, f"subscription {sub_id} not found")
        if body.active is True:
            await queue.unpark(sub_id, time.time())
        metrics.subscriptions_changed.labels("update").inc()
        return updated

    @app.delete("/v1/subscriptions/{sub_id}", status_code=204)
    async def delete_subscription(sub_id: str, who: Tenant) -> Response:
        """Delete a subscription; pending deliveries are dropped."""
        if not await store.delete(who, sub_id):
            raise HTTPException(404, f"subscription {sub_id} not found")
        await queue.discard_subscription(sub_id)
        metrics.subscriptions_changed.labels("delete").inc()
        return Response(status_code=204)

    @app.post("/v1/subscriptions/{sub_id}/pause", response_model=Subscription)
    async def pause(sub_id: str, who: Tenant) -> Subscription:
        """Stop matching and delivering; queued deliveries wait for resume."""
        sub = await store.set_active(sub_id, False, "paused by the subscriber", tenant=who)
        if sub is None:
            raise HTTPException(404, f"subscription {sub_id} not found")
        metrics.subscriptions_changed.labels("pause").inc()
        return sub

    @app.post("/v1/subscriptions/{sub_id}/resume", response_model=Subscription)
    async def resume(sub_id: str, who: Tenant) -> Subscription:
        """Match and deliver again, starting with the deliveries held while paused."""
        sub = await store.set_active(sub_id, True, tenant=who)
        if sub is None:
            raise HTTPException(404, f"subscription {sub_id} not found")
        await queue.unpark(sub_id, time.time())
        metrics.subscriptions_changed.labels("resume").inc()
        return sub

    @app.post("/v1/subscriptions/{sub_id}/rotate-secret", response_model=SecretRotated)
    async def rotate_secret(sub_id: str, who: Tenant) -> SecretRotated:
        """A new signing secret, shown this once; the old one keeps signing during the grace period."""
        stored = await store.rotate_secret(who, sub_id, settings.notify_secret_grace_seconds)
        if stored is None:
            raise HTTPException(404, f"subscription {sub_id} not found")
        metrics.subscriptions_changed.labels("rotate").inc()
        return SecretRotated(secret=stored.secret, previous_valid_until=stored.previous_until)

    @app.get("/v1/subscriptions/{sub_id}/deliveries", response_model=list[DeliveryRecord])
    async def list_deliveries(
        sub_id: str, who: Tenant, limit: Annotated[int, Query(ge=1, le=1_000)] = 50
    ) -> list[DeliveryRecord]:
        """Recent delivery attempts, newest first: outcome, status code, latency, next retry."""
        await owned(who, sub_id)
        return await records.recent(sub_id, limit)

    @app.post("/v1/subscriptions/{sub_id}/test", response_model=TestResult)
    async def send_test(sub_id: str, who: Tenant) -> TestResult:
        """Send a test event now (signed like an alert, ``type: test``) and report what the endpoint did."""
        await owned(who, sub_id)
        stored = await store.get_stored(sub_id)
        if stored is None:
            raise HTTPException(404, f"subscription {sub_id} not found")
        event_id = "evt_test_" + secrets.token_hex(12)
        out = Outgoing(event_id, "test", sub_id, (), datetime.now(UTC))
        started = time.perf_counter()
        status: int | None = None
        error: str | None = None
        try:
            status = (await channels[stored.subscription.channel.type].send(out, stored)).status_code
        except DeliveryError as exc:
            status, error = exc.status_code, str(exc)
        latency = round((time.perf_counter() - started) * 1000, 2)
        record = DeliveryRecord(
            alert_id=event_id,
            attempt=1,
            outcome="failed" if error else "delivered",
            status_code=status,
            error=error,
            latency_ms=latency,
            at=datetime.now(UTC),
            kind="test",
        )
        await records.add(sub_id, record)
        return TestResult(
            delivered=error is None, event_id=event_id, status_code=status, error=error, latency_ms=latency
        )

    async def preview(sub: Subscription, limit: int) -> Preview:
        raws = await redis.lrange(names.recent_articles, 0, min(limit, settings.notify_preview_articles) - 1)
        compiled = CompiledFilter.of(sub)
        hits = []
        for raw in raws:
            article = ClassifiedArticle.model_validate_json(raw)
            found = test(compiled, ArticleView(article))
            if found is not None:
                a = article.article
                hits.append(
                    PreviewHit(
                        article_id=a.id,
                        story_id=a.story_id,
                        title=a.title,
                        url=a.url,
                        source=a.source,
                        matched_topics=found,
                        classified_at=article.classified_at,
                    )
                )
        return Preview(examined=len(raws), matched=tuple(hits))

    @app.post("/v1/subscriptions/{sub_id}/preview", response_model=Preview)
    async def preview_saved(sub_id: str, who: Tenant, limit: Annotated[int, Query(ge=1, le=5_000)] = 200) -> Preview:
        """Which of the last ``limit`` classified articles this subscription would have matched."""
        return await preview(await owned(who, sub_id), limit)

    @app.get("/v1/subscriptions/{sub_id}/stream")
    async def stream(
        sub_id: str,
        who: Tenant,
        request: Request,
        last_event_id: Annotated[str | None, Header(pattern=r"^\d+-\d+$")] = None,
    ) -> StreamingResponse:
        """Server-sent events of live alerts for a ``stream`` subscription; resumes after ``Last-Event-ID``."""
        sub = await owned(who, sub_id)
        if sub.channel.type != "stream":
            raise HTTPException(409, f"subscription {sub_id} delivers by {sub.channel.type}, not stream")
        key = names.stream(sub_id)
        after = await sse.start_id(redis, key, last_event_id)
        return StreamingResponse(
            sse.events(redis, key, after, request.is_disconnected),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
        )

    return app
