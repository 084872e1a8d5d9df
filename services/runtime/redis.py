"""Redis clients built from settings; every service gets its connection here."""

from __future__ import annotations

import redis
import redis.asyncio as aioredis

from services.runtime.settings import Settings


def async_client(settings: Settings) -> aioredis.Redis:
    """An asyncio Redis client (bytes in, bytes out) for the given settings."""
    return aioredis.Redis.from_url(settings.redis_url, socket_timeout=5, socket_connect_timeout=5)


def sync_client(settings: Settings) -> redis.Redis:
    """A blocking Redis client, for CLI tools and thread-pool code."""
    return redis.Redis.from_url(settings.redis_url, socket_timeout=5, socket_connect_timeout=5)
