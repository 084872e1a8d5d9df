"""Webhook channel: Standard Webhooks signed POSTs, SSRF-checked at every send."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import ClassVar

from services.notify import signing
from services.notify.channels.base import ChannelContext, Delivered
from services.notify.channels.http import classify_status, guarded_post
from services.notify.payloads import Outgoing, dumps, event
from services.notify.subscriptions import StoredSubscription


class WebhookChannel:
    """POST the event JSON with ``webhook-id`` = alert (or digest) id, so retries carry the same id."""

    name: ClassVar[str] = "webhook"

    def __init__(self, ctx: ChannelContext) -> None:
        self._ctx = ctx

    async def send(self, out: Outgoing, target: StoredSubscription) -> Delivered:
        """Deliver one message; every failure becomes a retryable or permanent error."""
        url = str(getattr(target.subscription.channel, "url"))  # noqa: B009 - webhook channels have one
        body = dumps(event(out))
        headers = signing.headers(target.signing_secrets(datetime.now(UTC)), out.event_id, int(time.time()), body)
        headers["user-agent"] = "Herald-Webhooks/1"
        ctx = self._ctx
        response = await guarded_post(
            ctx.http,
            url,
            body,
            headers,
            allow_private=ctx.allow_private,
            timeout_s=ctx.timeout_s,
            max_bytes=ctx.response_max_bytes,
        )
        classify_status(response.status_code, response.retry_after)
        return Delivered(response.status_code)
