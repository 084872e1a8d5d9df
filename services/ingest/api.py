"""Ingest HTTP API: ``POST /v1/articles`` plus health and metrics."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import Body, FastAPI, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from prometheus_client import CollectorRegistry

from schemas.api import ArticleIn, ArticlesAccepted
from services.ingest.metrics import IngestMetrics
from services.ingest.normalize import normalize
from services.ingest.producer import ArticlePublisher
from services.runtime.health import health_router, tcp_check
from services.runtime.kafka import BrokerUnavailable
from services.runtime.settings import Settings


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

    @app.post("/v1/articles", status_code=202, response_model=ArticlesAccepted)
    async def post_articles(
        request: Request, payload: Annotated[ArticleIn | list[ArticleIn], Body()]
    ) -> ArticlesAccepted:
        items = payload if isinstance(payload, list) else [payload]
        metrics.received.labels("api").inc(len(items))
        articles = [normalize(item) for item in items]
        try:
            await run_in_threadpool(publisher.publish, articles, "api")
        except BrokerUnavailable as exc:
            metrics.rejected.labels("api", "broker_unavailable").inc(len(items))
            raise HTTPException(503, f"broker unavailable, nothing was accepted: {exc}", {"Retry-After": "5"}) from exc
        return ArticlesAccepted(ids=[a.id for a in articles])

    return app
