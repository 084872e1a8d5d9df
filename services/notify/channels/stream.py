"""Stream channel: events appended to a capped Redis stream that ``GET .../stream`` serves as SSE.

A Redis stream rather than pub/sub, so a client that reconnects with ``Last-Event-ID`` gets
what it missed (up to ``notify_stream_backlog`` events).
"""

from __future__ import annotations

from typing import ClassVar

from redis.exceptions import RedisError

from services.notify.channels.base import ChannelContext, Delivered
from services.notify.exceptions import RetryableDeliveryError
from services.notify.payloads import Outgoing, dumps, event
from services.notify.subscriptions import StoredSubscription


class StreamChannel:
    """XADD the event JSON; listeners read it live or on reconnect."""

    name: ClassVar[str] = "stream"

    def __init__(self, ctx: ChannelContext) -> None:
        self._ctx = ctx

    async def send(self, out: Outgoing, target: StoredSubscription) -> Delivered:
        """Append one event to the subscription's stream."""
        payload = event(out)
        key = self._ctx.keys.stream(target.subscription.id)
        try:
            await self._ctx.redis.xadd(
                key,
                {"type": payload["type"], "id": out.event_id, "data": dumps(payload)},
                maxlen=self._ctx.stream_backlog,
                approximate=True,
            )
        except RedisError as exc:
            raise RetryableDeliveryError(f"stream append failed: {exc.__class__.__name__}") from exc
        return Delivered(None)
