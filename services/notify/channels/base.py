"""The one small interface every channel implements, and what channels are built from."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Protocol

import httpx
import redis.asyncio as aioredis

from services.notify.payloads import Outgoing
from services.notify.subscriptions import Keys, StoredSubscription
from services.runtime.settings import Settings


@dataclass(frozen=True)
class Delivered:
    """A successful delivery: the receiver's status code (None for channels without one)."""

    status_code: int | None


@dataclass(frozen=True)
class ChannelContext:
    """The shared clients and limits channels are constructed with."""

    http: httpx.AsyncClient
    redis: aioredis.Redis
    keys: Keys
    allow_private: bool
    timeout_s: float
    response_max_bytes: int
    stream_backlog: int

    @classmethod
    def from_settings(
        cls, settings: Settings, http: httpx.AsyncClient, redis: aioredis.Redis, keys: Keys
    ) -> ChannelContext:
        """The context as the settings configure it (the API's test events and the worker share it)."""
        return cls(
            http=http,
            redis=redis,
            keys=keys,
            allow_private=settings.allow_private_urls,
            timeout_s=settings.webhook_timeout_seconds,
            response_max_bytes=settings.notify_response_max_bytes,
            stream_backlog=settings.notify_stream_backlog,
        )


class Channel(Protocol):
    """Delivers one message; raises RetryableDeliveryError or PermanentDeliveryError on failure."""

    name: ClassVar[str]

    async def send(self, out: Outgoing, target: StoredSubscription) -> Delivered:
        """Deliver ``out`` to the subscription's endpoint."""
        ...
