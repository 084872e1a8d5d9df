"""Ingest HTTP API: ``POST /v1/articles``, ``/v1/feeds``, health and metrics."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from prometheus_client import CollectorRegistry
from pydantic import ValidationError

from schemas.api import ArticleIn, ArticlesAccepted
from schemas.models import Article
from services.ingest.dedupe import DuplicateStore
from services.ingest.exceptions import EmptyArticle
from services.ingest.feeds_api import feeds_router
from services.ingest.metrics import IngestMetrics
from services.ingest.normalize import normalize
from services.ingest.pipeline import IngestPipeline, StoreUnavailable
from services.ingest.poller import FeedPoller
from services.ingest.producer import ArticlePublisher
from services.ingest.store import FeedStore
from services.runtime import redis as runtime_redis
from services.runtime.apikeys import ApiKeyStore, require_tenant
from services.runtime.health import health_router, tcp_check
from services.runtime.kafka import BrokerUnavailable
from services.runtime.settings import Settings


class BodyTooLarge(Exception):
    """The request body is larger than the configured limit."""


async def read_body(request: Request, limit: int) -> bytes:
    """The request body, refusing (without reading it all) anything larger than ``limit`` bytes."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge
        chunks.append(chunk)
    return b"".join(chunks)


def parse_articles(payload: Any, max_batch: int | None = None) -> list[ArticleIn]:
    """One article or a list of them; 422 listing every bad field as ``[index].field``."""
    raw = payload if isinstance(payload, list) else [payload]
    if not raw:
        raise RequestValidationError([{"type": "too_short", "loc": ("body",), "msg": "no articles in the list"}])
    if max_batch is not None and len(raw) > max_batch:
        raise HTTPException(413, f"{len(raw)} articles in one request; at most {max_batch} are accepted")
    items: list[ArticleIn] = []
    errors: list[dict[str, Any]] = []
    for index, item in enumerate(raw):
        prefix: tuple[int | str, ...] = ("body", index) if isinstance(payload, list) else ("body",)
        try:
            items.append(ArticleIn.model_validate(item))
        except ValidationError as exc:
            for err in exc.errors(include_url=False, include_context=False):
                loc = err["loc"] or ("body|html",)
                errors.append({"type": err["type"], "loc": (*prefix, *loc), "msg": err["msg"]})
    if errors:
        raise RequestValidationError(errors)
    return items


def normalize_all(items: list[ArticleIn], batch: bool) -> list[Article]:
    """Normalise every item; 422 naming the field of each article left without text."""
    articles: list[Article] = []
    errors: list[dict[str, Any]] = []
    for index, item in enumerate(items):
        try:
            articles.append(normalize(item))
        except EmptyArticle as exc:
            loc = ("body", index, exc.field) if batch else ("body", exc.field)
            errors.append({"type": "value_error", "loc": loc, "msg": str(exc)})
    if errors:
        raise RequestValidationError(errors)
    return articles


def create_app(settings: Settings, registry: CollectorRegistry | None = None) -> FastAPI:
    """Build the ingest app; the feed poller runs as a task of its event loop, the publisher is
    flushed and closed on shutdown."""
    registry = registry or CollectorRegistry()
    metrics = IngestMetrics(registry)
    publisher = ArticlePublisher(settings, metrics)
    redis = runtime_redis.async_client(settings)
    pipeline = IngestPipeline(publisher, DuplicateStore(redis, settings), metrics)
    feeds = FeedStore(redis, settings)
    poller = FeedPoller(settings, feeds, pipeline, metrics)
    retry_after = {"Retry-After": str(settings.ingest_retry_after_seconds)}

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if settings.bootstrap_api_key is not None:
            await app.state.api_keys.register(settings.bootstrap_api_key.get_secret_value(), "default")
        if settings.ingest_feeds_file:
            await feeds.load_file(settings.ingest_feeds_file)
        if settings.ingest_feeds_enabled:
            poller.start()
        try:
            yield
        finally:
            await poller.stop()
            await run_in_threadpool(publisher.close)
            await redis.aclose()

    async def redis_check() -> None:
        await redis.ping()

    app = FastAPI(title="Herald ingest", version="1", lifespan=lifespan)
    app.state.api_keys = ApiKeyStore(redis, settings.redis_prefix)
    # Off by default (the local demo posts without a key); production turns it on.
    guarded = [Depends(require_tenant)] if settings.ingest_require_api_key else []
    app.include_router(health_router(registry, {"kafka": tcp_check(settings.kafka_bootstrap), "redis": redis_check}))
    app.include_router(feeds_router(settings, feeds, poller), dependencies=guarded)

    @app.post(
        "/v1/articles",
        status_code=202,
        response_model=ArticlesAccepted,
        dependencies=guarded,
        responses={
            401: {"description": "Missing or unknown API key (when HERALD_INGEST_REQUIRE_API_KEY is on)"},
            413: {"description": "Too many articles or too large a body"},
            422: {"description": "A field is invalid; `loc` names it"},
            503: {"description": "Broker or Redis unavailable; nothing was accepted; retry after Retry-After"},
        },
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": {
                            "oneOf": [
                                ArticleIn.model_json_schema(),
                                {"type": "array", "items": ArticleIn.model_json_schema()},
                            ]
                        }
                    }
                },
            }
        },
    )
    async def post_articles(request: Request) -> ArticlesAccepted:
        try:
            raw = await read_body(request, settings.ingest_max_body_bytes)
        except BodyTooLarge:
            metrics.rejected.labels("api", "too_large").inc()
            raise HTTPException(413, f"request body over {settings.ingest_max_body_bytes} bytes") from None
        try:
            payload = json.loads(raw)
        except (ValueError, UnicodeDecodeError) as exc:
            metrics.rejected.labels("api", "invalid_json").inc()
            raise RequestValidationError(
                [{"type": "json_invalid", "loc": ("body",), "msg": f"invalid JSON: {exc}"}]
            ) from None
        try:
            items = parse_articles(payload, settings.ingest_max_batch)
            # CPU work (HTML parsing, language guess) off the event loop: feeds poll on it.
            articles = await run_in_threadpool(normalize_all, items, isinstance(payload, list))
        except RequestValidationError:
            metrics.rejected.labels("api", "invalid").inc(len(payload) if isinstance(payload, list) else 1)
            raise
        except HTTPException:
            metrics.rejected.labels("api", "too_large").inc()
            raise
        metrics.received.labels("api").inc(len(articles))
        try:
            outcomes = await pipeline.submit(articles, "api")
        except BrokerUnavailable as exc:
            metrics.rejected.labels("api", "broker_unavailable").inc(len(articles))
            raise HTTPException(503, f"broker unavailable, nothing was accepted: {exc}", retry_after) from exc
        except StoreUnavailable as exc:
            metrics.rejected.labels("api", "store_unavailable").inc(len(articles))
            raise HTTPException(503, f"redis unavailable, nothing was accepted: {exc}", retry_after) from exc
        return ArticlesAccepted(
            ids=[o.id for o in outcomes],
            duplicates=[o.id for o in outcomes if o.duplicate],
            story_ids=[o.story_id for o in outcomes],
        )

    return app
