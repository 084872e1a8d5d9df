"""Deliver one alert through its subscription's channel: dedupe, attempt, record, retry."""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx
import redis.asyncio as aioredis

from schemas.models import Alert
from schemas.subscriptions import DeliveryRecord, Outcome
from services.notify.channels.base import Channel
from services.notify.channels.webhook import WebhookChannel
from services.notify.exceptions import DeliveryError, PermanentDeliveryError
from services.notify.metrics import NotifyWorkerMetrics
from services.notify.subscriptions import Keys, SubscriptionStore
from services.runtime.settings import Settings

log = logging.getLogger(__name__)

DELIVERED_TTL_S = 30 * 24 * 3600
DELIVERY_LOG_LENGTH = 200
INLINE_BACKOFF_S = (0.5, 1.0, 2.0)


@dataclass(frozen=True)
class Failure:
    """An alert that could not be delivered after ``attempts`` tries."""

    reason: str
    attempts: int


class Deliverer:
    """Send alerts once each; every attempt is logged to the subscription's delivery log."""

    def __init__(
        self,
        settings: Settings,
        store: SubscriptionStore,
        redis: aioredis.Redis,
        http: httpx.AsyncClient,
        metrics: NotifyWorkerMetrics,
        keys: Keys,
    ) -> None:
        self._keys = keys
        self._store = store
        self._redis = redis
        self._metrics = metrics
        self._channels: dict[str, Channel] = {"webhook": WebhookChannel(http, settings.allow_private_urls)}

    async def deliver(self, alert: Alert) -> Failure | None:
        """Deliver ``alert`` unless it already was; return a Failure once retries are exhausted."""
        if await self._redis.exists(self._keys.delivered(alert.alert_id)):
            return None
        stored = await self._store.get_stored(alert.subscription_id)
        if stored is None or not stored.subscription.active:
            log.info("subscription gone or paused, alert dropped", extra={"alert_id": alert.alert_id})
            return None
        channel = self._channels[stored.subscription.channel.type]
        attempts = len(INLINE_BACKOFF_S) + 1
        last_error = ""
        for attempt in range(1, attempts + 1):
            started = time.perf_counter()
            try:
                result = await channel.send(alert, stored)
            except DeliveryError as exc:
                last_error = str(exc)
                permanent = isinstance(exc, PermanentDeliveryError) or attempt == attempts
                await self._record(
                    alert, attempt, "failed" if permanent else "retry", exc.status_code, last_error, started
                )
                self._metrics.deliveries.labels(channel.name, "failed" if permanent else "retry").inc()
                if permanent:
                    return Failure(last_error, attempt)
                await asyncio.sleep(max(INLINE_BACKOFF_S[attempt - 1], exc.retry_after_s or 0.0))
                continue
            await self._redis.set(self._keys.delivered(alert.alert_id), b"1", ex=DELIVERED_TTL_S)
            await self._record(alert, attempt, "delivered", result.status_code, None, started)
            self._metrics.deliveries.labels(channel.name, "delivered").inc()
            self._metrics.end_to_end.observe((datetime.now(UTC) - alert.received_at).total_seconds())
            return None
        return Failure(last_error, attempts)

    async def _record(
        self, alert: Alert, attempt: int, outcome: Outcome, status: int | None, error: str | None, started: float
    ) -> None:
        record = DeliveryRecord(
            alert_id=alert.alert_id,
            attempt=attempt,
            outcome=outcome,
            status_code=status,
            error=error,
            latency_ms=round((time.perf_counter() - started) * 1000, 2),
            at=datetime.now(UTC),
        )
        key = self._keys.deliveries(alert.subscription_id)
        async with self._redis.pipeline(transaction=False) as pipe:
            pipe.lpush(key, record.model_dump_json())
            pipe.ltrim(key, 0, DELIVERY_LOG_LENGTH - 1)
            await pipe.execute()
