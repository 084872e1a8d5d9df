"""Subscriptions and API keys in Redis, with a per-topic index for matching."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import UTC, datetime

import redis.asyncio as aioredis
from pydantic import BaseModel, ConfigDict

from schemas.subscriptions import Subscription, SubscriptionCreated, SubscriptionIn
from services.notify.signing import new_secret


class StoredSubscription(BaseModel):
    """What Redis holds for a subscription: the public part plus the signing secret."""

    model_config = ConfigDict(frozen=True)

    subscription: Subscription
    secret: str


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


class Keys:
    """Names of Herald's Redis keys under one deployment prefix."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix

    def sub(self, sub_id: str) -> str:
        return f"{self.prefix}sub:{sub_id}"

    def tenant(self, tenant: str) -> str:
        return f"{self.prefix}tenant:{tenant}:subs"

    def topic(self, topic: str) -> str:
        return f"{self.prefix}topic:{topic}"

    def apikey(self, api_key: str) -> str:
        return f"{self.prefix}apikey:" + hashlib.sha256(api_key.encode()).hexdigest()

    def delivered(self, alert_id: str) -> str:
        """Marks an alert as delivered (the dedupe record)."""
        return f"{self.prefix}delivered:{alert_id}"

    def deliveries(self, sub_id: str) -> str:
        """A subscription's most recent delivery attempts, newest first."""
        return f"{self.prefix}deliveries:{sub_id}"


class ApiKeys:
    """API keys, stored as SHA-256 hashes mapping to their tenant."""

    def __init__(self, redis: aioredis.Redis, keys: Keys) -> None:
        self._redis = redis
        self._keys = keys

    async def register(self, api_key: str, tenant: str) -> None:
        """Register a key the operator chose (e.g. the bootstrap key)."""
        await self._redis.set(self._keys.apikey(api_key), tenant)

    async def create(self, tenant: str) -> str:
        """Make, store and return a new random key for ``tenant``; only its hash is kept."""
        api_key = "hk_" + secrets.token_urlsafe(32)
        await self.register(api_key, tenant)
        return api_key

    async def tenant_of(self, api_key: str) -> str | None:
        """The tenant a key belongs to, or None for an unknown key."""
        value = await self._redis.get(self._keys.apikey(api_key))
        return _text(value) if value is not None else None


class SubscriptionStore:
    """CRUD of subscriptions per tenant and the topic index used by the matcher."""

    def __init__(self, redis: aioredis.Redis, keys: Keys) -> None:
        self._redis = redis
        self._keys = keys

    async def create(self, tenant: str, body: SubscriptionIn) -> SubscriptionCreated:
        """Store a new subscription and return it with its secret (shown only this once)."""
        sub = Subscription(
            id="sub_" + uuid.uuid4().hex,
            tenant=tenant,
            name=body.name,
            topics=tuple(dict.fromkeys(body.topics)),
            match=body.match,
            min_score=body.min_score,
            channel=body.channel,
            active=body.active,
            created_at=datetime.now(UTC),
        )
        stored = StoredSubscription(subscription=sub, secret=new_secret())
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.set(self._keys.sub(sub.id), stored.model_dump_json())
            pipe.zadd(self._keys.tenant(tenant), {sub.id: sub.created_at.timestamp()})
            for topic in sub.topics:
                pipe.sadd(self._keys.topic(topic), sub.id)
            await pipe.execute()
        return SubscriptionCreated(**sub.model_dump(), secret=stored.secret)

    async def get_stored(self, sub_id: str) -> StoredSubscription | None:
        """The subscription with its secret, whatever the tenant (for workers only)."""
        raw = await self._redis.get(self._keys.sub(sub_id))
        return StoredSubscription.model_validate_json(raw) if raw is not None else None

    async def get(self, tenant: str, sub_id: str) -> Subscription | None:
        """The tenant's subscription, or None when missing or owned by another tenant."""
        stored = await self.get_stored(sub_id)
        if stored is None or stored.subscription.tenant != tenant:
            return None
        return stored.subscription

    async def page(self, tenant: str, offset: int = 0, limit: int = 100) -> list[Subscription]:
        """The tenant's subscriptions, oldest first."""
        ids = await self._redis.zrange(self._keys.tenant(tenant), offset, offset + limit - 1)
        if not ids:
            return []
        raws = await self._redis.mget([self._keys.sub(_text(i)) for i in ids])  # type: ignore[arg-type]
        return [StoredSubscription.model_validate_json(r).subscription for r in raws if r is not None]

    async def delete(self, tenant: str, sub_id: str) -> bool:
        """Remove the tenant's subscription and its index entries; False if it was not theirs."""
        sub = await self.get(tenant, sub_id)
        if sub is None:
            return False
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.delete(self._keys.sub(sub_id))
            pipe.zrem(self._keys.tenant(tenant), sub_id)
            for topic in sub.topics:
                pipe.srem(self._keys.topic(topic), sub_id)
            await pipe.execute()
        return True

    async def candidates(self, topics: list[str]) -> list[StoredSubscription]:
        """Subscriptions indexed under any of ``topics`` (the matcher filters further)."""
        if not topics:
            return []
        ids = await self._redis.sunion([self._keys.topic(t) for t in topics])
        if not ids:
            return []
        raws = await self._redis.mget([self._keys.sub(_text(i)) for i in ids])
        return [StoredSubscription.model_validate_json(r) for r in raws if r is not None]
