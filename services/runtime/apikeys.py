"""API keys shared by every HTTP service: stored as SHA-256 hashes in Redis, each naming a tenant.

notify's subscription API issues and checks them; ingest checks the same keys when
``HERALD_INGEST_REQUIRE_API_KEY`` is on, so one key per tenant works everywhere.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Annotated

import redis.asyncio as aioredis
from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

KEY_PREFIX = "hk_"


def redis_key(prefix: str, api_key: str) -> str:
    """Where the tenant of ``api_key`` is stored; only the hash of the key is ever written."""
    return f"{prefix}apikey:" + hashlib.sha256(api_key.encode()).hexdigest()


def new_api_key() -> str:
    """A fresh random API key."""
    return KEY_PREFIX + secrets.token_urlsafe(32)


class ApiKeyStore:
    """Register, create and resolve API keys."""

    def __init__(self, redis: aioredis.Redis, prefix: str) -> None:
        self._redis = redis
        self._prefix = prefix

    async def register(self, api_key: str, tenant: str) -> None:
        """Register a key the operator chose (e.g. the bootstrap key)."""
        await self._redis.set(redis_key(self._prefix, api_key), tenant)

    async def create(self, tenant: str) -> str:
        """Make, store and return a new random key for ``tenant``."""
        api_key = new_api_key()
        await self.register(api_key, tenant)
        return api_key

    async def tenant_of(self, api_key: str) -> str | None:
        """The tenant a key belongs to, or None for an unknown key."""
        value = await self._redis.get(redis_key(self._prefix, api_key))
        if value is None:
            return None
        return value.decode() if isinstance(value, bytes) else str(value)


_bearer = HTTPBearer(auto_error=False)


async def require_tenant(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> str:
    """FastAPI dependency: the tenant of the bearer key, 401 when missing or unknown.

    The app must set ``app.state.api_keys`` to an ApiKeyStore.
    """
    if credentials is None:
        raise HTTPException(401, "missing bearer API key", {"WWW-Authenticate": "Bearer"})
    store: ApiKeyStore = request.app.state.api_keys
    tenant = await store.tenant_of(credentials.credentials)
    if tenant is None:
        raise HTTPException(401, "unknown API key", {"WWW-Authenticate": "Bearer"})
    return tenant
