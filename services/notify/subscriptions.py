"""Subscriptions and API keys in Redis, with a per-topic index and a change log for matchers."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import redis.asyncio as aioredis
from pydantic import AwareDatetime, BaseModel, ConfigDict
from redis.exceptions import WatchError

from schemas.subscriptions import Subscription, SubscriptionCreated, SubscriptionIn, SubscriptionPatch
from services.notify.exceptions import TenantLimitReached
from services.notify.signing import new_secret


class StoredSubscription(BaseModel):
    """What Redis holds for a subscription: the public part plus the signing secret(s)."""

    model_config = ConfigDict(frozen=True)

    subscription: Subscription
    secret: str
    previous_secret: str | None = None
    previous_until: AwareDatetime | None = None

    def __repr__(self) -> str:
        return f"StoredSubscription(id={self.subscription.id!r}, secret=***)"

    __str__ = __repr__

    def signing_secrets(self, now: datetime) -> tuple[str, ...]:
        """The secrets a delivery is signed with: the current one, plus the previous during its grace."""
        if self.previous_secret and self.previous_until and now < self.previous_until:
            return (self.secret, self.previous_secret)
        return (self.secret,)


_PARSED: dict[bytes | str, StoredSubscription] = {}
_PARSED_MAX = 20_000


def parse_stored(raw: bytes | str) -> StoredSubscription:
    """A stored subscription record, parsed once per distinct content (records are immutable
    models, and any change to a subscription changes its record, so the cache is never stale)."""
    found = _PARSED.get(raw)
    if found is None:
        found = StoredSubscription.model_validate_json(raw)
        if len(_PARSED) >= _PARSED_MAX:
            _PARSED.clear()
        _PARSED[raw] = found
    return found


def text(value: Any) -> str:
    """Redis answers bytes; Herald's keys and ids are text."""
    return value.decode() if isinstance(value, bytes) else str(value)


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

    @property
    def subs_version(self) -> str:
        """Incremented by every subscription change; matchers reload when it moves."""
        return f"{self.prefix}subs:version"

    @property
    def subs_changed(self) -> str:
        """Sorted set: subscription id scored by the version of its last change."""
        return f"{self.prefix}subs:changed"

    def delivered(self, alert_id: str) -> str:
        """Marks an alert as taken in hand (queued, grouped, sent or dead-lettered): the dedupe record."""
        return f"{self.prefix}delivered:{alert_id}"

    def deliveries(self, sub_id: str) -> str:
        """A subscription's most recent delivery attempts, newest first."""
        return f"{self.prefix}deliveries:{sub_id}"

    @property
    def schedule(self) -> str:
        """Sorted set of due work (job ids and ``flush:<sub>`` members) scored by due time."""
        return f"{self.prefix}schedule"

    def job(self, job_id: str) -> str:
        """Hash: kind, sub, attempt of one pending send."""
        return f"{self.prefix}job:{job_id}"

    def job_items(self, job_id: str) -> str:
        """Hash: alert id -> Alert JSON carried by one pending send."""
        return f"{self.prefix}jobitems:{job_id}"

    def group(self, sub_id: str) -> str:
        """Hash: alerts waiting for the subscription's next digest."""
        return f"{self.prefix}group:{sub_id}"

    def group_meta(self, sub_id: str) -> str:
        """Hash: last flush time and digest sequence of a subscription."""
        return f"{self.prefix}groupmeta:{sub_id}"

    def parked(self, sub_id: str) -> str:
        """Set of job ids held while the subscription is paused."""
        return f"{self.prefix}parked:{sub_id}"

    def failures(self, sub_id: str) -> str:
        """Consecutive alerts that failed for good; reset by a success."""
        return f"{self.prefix}failures:{sub_id}"

    def throttle(self, sub_id: str) -> str:
        """Sorted set of send times in the last hour (sliding window)."""
        return f"{self.prefix}throttle:{sub_id}"

    @property
    def recent_articles(self) -> str:
        """List of the latest classified articles, newest first (for preview)."""
        return f"{self.prefix}recent:articles"

    def stream(self, sub_id: str) -> str:
        """Redis stream of a ``stream`` subscription's events (SSE with replay)."""
        return f"{self.prefix}stream:{sub_id}"


_BUMP = """
local v = redis.call('INCR', KEYS[1])
redis.call('ZADD', KEYS[2], v, ARGV[1])
return v
"""


class SubscriptionStore:
    """CRUD of subscriptions per tenant, the topic index, and the change log used by matchers."""

    def __init__(self, redis: aioredis.Redis, keys: Keys) -> None:
        self._redis = redis
        self._keys = keys
        self._bump = redis.register_script(_BUMP)

    async def _bump_in(self, pipe: Any, sub_id: str) -> None:
        await self._bump(keys=[self._keys.subs_version, self._keys.subs_changed], args=[sub_id], client=pipe)

    async def count(self, tenant: str) -> int:
        """How many subscriptions the tenant has."""
        return int(await self._redis.zcard(self._keys.tenant(tenant)))

    async def create(self, tenant: str, body: SubscriptionIn, limit: int) -> SubscriptionCreated:
        """Store a new subscription and return it with its secret (shown only this once)."""
        if await self.count(tenant) >= limit:
            raise TenantLimitReached(f"tenant already has the maximum of {limit} subscriptions")
        now = datetime.now(UTC)
        fields = body.model_dump()
        fields["topics"] = tuple(dict.fromkeys(body.topics))
        sub = Subscription(id="sub_" + uuid.uuid4().hex, tenant=tenant, created_at=now, updated_at=now, **fields)
        stored = StoredSubscription(subscription=sub, secret=new_secret())
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.set(self._keys.sub(sub.id), stored.model_dump_json())
            pipe.zadd(self._keys.tenant(tenant), {sub.id: sub.created_at.timestamp()})
            for topic in sub.topics:
                pipe.sadd(self._keys.topic(topic), sub.id)
            await self._bump_in(pipe, sub.id)
            await pipe.execute()
        return SubscriptionCreated(**sub.model_dump(), secret=stored.secret)

    async def get_stored(self, sub_id: str) -> StoredSubscription | None:
        """The subscription with its secret, whatever the tenant (for workers only)."""
        raw = await self._redis.get(self._keys.sub(sub_id))
        return parse_stored(raw) if raw is not None else None

    async def get_stored_many(self, sub_ids: list[str]) -> dict[str, StoredSubscription | None]:
        """Several subscriptions in one round trip (for workers only), by id."""
        unique = list(dict.fromkeys(sub_ids))
        if not unique:
            return {}
        raws = await self._redis.mget([self._keys.sub(i) for i in unique])
        return {i: parse_stored(r) if r is not None else None for i, r in zip(unique, raws, strict=True)}

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
        raws = await self._redis.mget([self._keys.sub(text(i)) for i in ids])
        return [StoredSubscription.model_validate_json(r).subscription for r in raws if r is not None]

    async def modify(
        self, sub_id: str, change: Callable[[StoredSubscription], StoredSubscription], tenant: str | None = None
    ) -> StoredSubscription | None:
        """Apply ``change`` atomically (optimistic lock); None when missing or not the tenant's."""
        key = self._keys.sub(sub_id)
        async with self._redis.pipeline(transaction=True) as pipe:
            while True:
                try:
                    await pipe.watch(key)
                    raw = await pipe.get(key)
                    if raw is None:
                        return None
                    old = StoredSubscription.model_validate_json(raw)
                    if tenant is not None and old.subscription.tenant != tenant:
                        return None
                    new = change(old)
                    pipe.multi()  # type: ignore[no-untyped-call]
                    pipe.set(key, new.model_dump_json())
                    for topic in set(old.subscription.topics) - set(new.subscription.topics):
                        pipe.srem(self._keys.topic(topic), sub_id)
                    for topic in set(new.subscription.topics) - set(old.subscription.topics):
                        pipe.sadd(self._keys.topic(topic), sub_id)
                    await self._bump_in(pipe, sub_id)
                    await pipe.execute()
                    return new
                except WatchError:
                    continue

    async def update(self, tenant: str, sub_id: str, patch: SubscriptionPatch) -> Subscription | None:
        """Apply a PATCH body; resuming through ``active: true`` clears the pause reason."""
        given = patch.model_dump(exclude_unset=True)
        if "topics" in given:
            given["topics"] = tuple(dict.fromkeys(given["topics"]))

        def change(old: StoredSubscription) -> StoredSubscription:
            fields = old.subscription.model_dump() | given | {"updated_at": datetime.now(UTC)}
            if given.get("active") is True:
                fields["paused_reason"] = None
            return old.model_copy(update={"subscription": Subscription.model_validate(fields)})

        new = await self.modify(sub_id, change, tenant)
        return new.subscription if new is not None else None

    async def set_active(
        self, sub_id: str, active: bool, reason: str | None = None, tenant: str | None = None
    ) -> Subscription | None:
        """Pause (with a reason) or resume a subscription."""

        def change(old: StoredSubscription) -> StoredSubscription:
            sub = old.subscription.model_copy(
                update={"active": active, "paused_reason": None if active else reason, "updated_at": datetime.now(UTC)}
            )
            return old.model_copy(update={"subscription": sub})

        new = await self.modify(sub_id, change, tenant)
        return new.subscription if new is not None else None

    async def rotate_secret(self, tenant: str, sub_id: str, grace_s: int) -> StoredSubscription | None:
        """A new signing secret; the previous one keeps signing for ``grace_s`` seconds."""

        def change(old: StoredSubscription) -> StoredSubscription:
            until = datetime.now(UTC) + timedelta(seconds=grace_s) if grace_s > 0 else None
            return old.model_copy(
                update={
                    "secret": new_secret(),
                    "previous_secret": old.secret if until else None,
                    "previous_until": until,
                }
            )

        return await self.modify(sub_id, change, tenant)

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
            await self._bump_in(pipe, sub_id)
            await pipe.execute()
        return True

    async def version(self) -> int:
        """The current change counter."""
        raw = await self._redis.get(self._keys.subs_version)
        return int(raw) if raw is not None else 0

    async def changes_since(
        self, seen: int, chunk: int = 1_000
    ) -> tuple[int, list[tuple[str, StoredSubscription | None]]]:
        """Subscriptions changed after version ``seen`` (None = deleted) and the version reached."""
        current = await self.version()
        if current <= seen:
            return seen, []
        ids = [text(i) for i in await self._redis.zrangebyscore(self._keys.subs_changed, f"({seen}", current)]
        out: list[tuple[str, StoredSubscription | None]] = []
        for start in range(0, len(ids), chunk):
            part = ids[start : start + chunk]
            raws = await self._redis.mget([self._keys.sub(i) for i in part])
            for sub_id, raw in zip(part, raws, strict=True):
                out.append((sub_id, StoredSubscription.model_validate_json(raw) if raw is not None else None))
        return current, out
