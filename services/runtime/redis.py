"""Redis clients built from settings; every service gets its connection here."""

from __future__ import annotations

from typing import Any

import redis
import redis.asyncio as aioredis
from redis.asyncio.retry import Retry as AsyncRetry
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError, TimeoutError
from redis.retry import Retry

from services.runtime.settings import Settings

# A Redis restart or failover drops every pooled connection; commands retry on a fresh one for
# a few seconds instead of failing the request that happened to use a dead connection.
_RETRIES = 6


def _options() -> dict[str, Any]:
    return {
        "socket_timeout": 5,
        "socket_connect_timeout": 5,
        "health_check_interval": 15,
        "retry_on_error": [ConnectionError, TimeoutError, ConnectionResetError],
    }


def async_client(settings: Settings) -> aioredis.Redis:
    """An asyncio Redis client (bytes in, bytes out) that rides out a Redis restart."""
    retry = AsyncRetry(ExponentialBackoff(cap=2.0, base=0.1), _RETRIES)
    return aioredis.Redis.from_url(settings.redis_url, retry=retry, **_options())


def sync_client(settings: Settings) -> redis.Redis:
    """A blocking Redis client, for CLI tools and thread-pool code."""
    retry = Retry(ExponentialBackoff(cap=2.0, base=0.1), _RETRIES)
    return redis.Redis.from_url(settings.redis_url, retry=retry, **_options())
