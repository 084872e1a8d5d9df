"""Ingest HTTP API: ``POST /v1/articles`` plus health and metrics."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import Body, FastAPI, HTTPException
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from prometheus_client import CollectorRegistry
from pydantic import ValidationError

from schemas.api import ArticleIn, ArticlesAccepted
from services.ingest.metrics import IngestMetrics
from services.ingest.normalize import normalize
from services.ingest.producer import ArticlePublisher
from services.runtime.health import health_router, tcp_check
from services.runtime.kafka import BrokerUnavailable
from services.runtime.settings import Settings


def parse_articles(payload: Any) -> list[ArticleIn]:
    """One article or a list of them; 422 listing every bad field as ``[index].field``."""
    raw = payload if isinstance(payload, list) else [payload]
    if not raw:
        raise RequestValidationError([{"type": "too_short", "loc": ("body",), "msg": "no articles in the list"}])
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


def create_app(settings: Settings, registry: CollectorRegistry | None = None) -> FastAPI:
    """Build the ingest app; the publisher is created here and closed (flushed) on shutdown."""
    registry = registry or CollectorRegistry()
    metrics = IngestMetrics(registry)
    publisher = ArticlePublisher(settings, metrics)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        await run_in_threadpool(publisher.close)

    app = FastAPI(title="Herald ingest", version="1", lifespan=lifespan)
    app.include_router(health_router(registry, {"kafka": tcp_check(settings.kafka_bootstrap)}))

    @app.post(
        "/v1/articles",
        status_code=202,
        response_model=ArticlesAccepted,
        openapi_extra={
            "requestBody": {
                "content": {
                    "application/json": {
                        "schema": {
                            "oneOf": [
                                ArticleIn.model_json_schema(),
                                {"type": "array", "items": ArticleIn.model_json_schema()},
                            ]
                        }
                    }
                }
            }
        },
    )
    async def post_articles(payload: Annotated[Any, Body()]) -> ArticlesAccepted:
        items = parse_articles(payload)
        metrics.received.labels("api").inc(len(items))
        articles = [normalize(item) for item in items]
        try:
            await run_in_threadpool(publisher.publish, articles, "api")
        except BrokerUnavailable as exc:
            metrics.rejected.labels("api", "broker_unavailable").inc(len(items))
            raise HTTPException(503, f"broker unavailable, nothing was accepted: {exc}", {"Retry-After": "5"}) from exc
        return ArticlesAccepted(ids=[a.id for a in articles])

    return app
