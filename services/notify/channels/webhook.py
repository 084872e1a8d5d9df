"""Webhook channel: Standard Webhooks signed POSTs over httpx, SSRF-checked at every send."""

from __future__ import annotations

import time
from typing import ClassVar

import httpx

from schemas.models import Alert
from services.notify import signing
from services.notify.channels.base import Delivered
from services.notify.exceptions import PermanentDeliveryError, RetryableDeliveryError
from services.notify.payloads import webhook_body
from services.notify.subscriptions import StoredSubscription
from services.runtime.ssrf import UnsafeURL, guard_url

RETRYABLE_STATUS = {408, 429}


def classify_status(status: int, retry_after: str | None) -> None:
    """Raise the right error for a non-2xx status: 5xx, 408 and 429 retry, other 4xx are permanent."""
    if 200 <= status < 300:
        return
    delay = _retry_after_seconds(retry_after)
    if status >= 500 or status in RETRYABLE_STATUS:
        raise RetryableDeliveryError(f"receiver answered {status}", status, delay)
    raise PermanentDeliveryError(f"receiver answered {status}", status)


def _retry_after_seconds(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


class WebhookChannel:
    """POST the alert JSON with ``webhook-id`` = alert id, so retries carry the same id."""

    name: ClassVar[str] = "webhook"

    def __init__(self, client: httpx.AsyncClient, allow_private: bool) -> None:
        self._client = client
        self._allow_private = allow_private

    async def send(self, alert: Alert, target: StoredSubscription) -> Delivered:
        """Deliver one alert; translate every failure into a retryable or permanent error."""
        channel = target.subscription.channel
        url = str(channel.url)
        try:
            await guard_url(url, self._allow_private)
        except UnsafeURL as exc:
            raise PermanentDeliveryError(f"refused URL: {exc}") from exc
        body = webhook_body(alert)
        headers = signing.headers(target.secret, alert.alert_id, int(time.time()), body)
        try:
            response = await self._client.post(url, content=body, headers=headers, follow_redirects=False)
        except httpx.TimeoutException as exc:
            raise RetryableDeliveryError(f"timeout: {exc.__class__.__name__}") from exc
        except httpx.TransportError as exc:
            raise RetryableDeliveryError(f"connection error: {exc.__class__.__name__}: {exc}") from exc
        classify_status(response.status_code, response.headers.get("retry-after"))
        return Delivered(response.status_code)
