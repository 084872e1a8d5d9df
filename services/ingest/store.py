"""Feeds and their polling state in Redis, shared by every ingest replica.

Keys (under ``HERALD_REDIS_PREFIX``):

- ``ingest:feeds``: hash, feed id -> the feed's configuration (JSON of ``FeedConfig``).
- ``ingest:feed:<id>:state``: JSON of ``FeedState`` (health, ETag, Last-Modified, next poll),
  written only by the replica holding the lease.
- ``ingest:feed:<id>:lease``: a random token with a TTL; the replica that set it polls the
  feed, the others skip it.
"""

from __future__ import annotations

import json
import secrets
import tomllib
from datetime import UTC, datetime
from pathlib import Path

import redis.asyncio as aioredis
from pydantic import TypeAdapter

from schemas.api import Feed, FeedConfig, FeedHealth, FeedIn
from services.ingest.normalize import canonical_url, content_hash
from services.runtime.settings import Settings

_RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end
return 0
"""


class FeedState(FeedHealth):
    """Health plus what the next conditional GET needs."""

    etag: str | None = None
    last_modified: str | None = None


def feed_id(url: str) -> str:
    """Stable id of a feed, from its canonical URL."""
    return "f_" + content_hash(canonical_url(url))[:16]


class FeedStore:
    """CRUD of feeds, their state and their polling leases."""

    def __init__(self, redis: aioredis.Redis, settings: Settings) -> None:
        self._redis = redis
        self._prefix = f"{settings.redis_prefix}ingest:"
        self._default_interval = settings.ingest_feed_default_interval_seconds
        self._min_interval = settings.ingest_feed_min_interval_seconds

    @property
    def _feeds_key(self) -> str:
        return f"{self._prefix}feeds"

    def _state_key(self, fid: str) -> str:
        return f"{self._prefix}feed:{fid}:state"

    def _lease_key(self, fid: str) -> str:
        return f"{self._prefix}feed:{fid}:lease"

    def config_for(self, item: FeedIn) -> FeedConfig:
        """The stored configuration of a posted feed (interval defaulted and clamped to the minimum)."""
        url = str(item.url)
        interval = max(item.interval_seconds or self._default_interval, self._min_interval)
        return FeedConfig(
            id=feed_id(url),
            url=url,
            name=item.name,
            source=item.source,
            interval_seconds=interval,
            language=item.language,
            created_at=datetime.now(UTC),
        )

    async def put(self, item: FeedIn) -> tuple[FeedConfig, bool]:
        """Add the feed, or update the settings of the one with the same URL; (config, created)."""
        config = self.config_for(item)
        existing = await self._redis.hget(self._feeds_key, config.id)
        if existing is not None:
            config = config.model_copy(update={"created_at": FeedConfig.model_validate_json(existing).created_at})
        await self._redis.hset(self._feeds_key, config.id, config.model_dump_json())
        return config, existing is None

    async def configs(self) -> list[FeedConfig]:
        """Every configured feed, ordered by id."""
        raw = await self._redis.hgetall(self._feeds_key)
        return sorted((FeedConfig.model_validate_json(v) for v in raw.values()), key=lambda c: c.id)

    async def config(self, fid: str) -> FeedConfig | None:
        """One feed's configuration, or None."""
        raw = await self._redis.hget(self._feeds_key, fid)
        return FeedConfig.model_validate_json(raw) if raw is not None else None

    async def delete(self, fid: str) -> bool:
        """Forget the feed and its state; False when there was no such feed."""
        removed = await self._redis.hdel(self._feeds_key, fid)
        await self._redis.delete(self._state_key(fid))
        return bool(removed)

    async def state(self, fid: str) -> FeedState:
        """The polling state of a feed (empty before its first poll)."""
        raw = await self._redis.get(self._state_key(fid))
        return FeedState.model_validate_json(raw) if raw is not None else FeedState()

    async def states(self, fids: list[str]) -> dict[str, FeedState]:
        """The states of several feeds in one round trip."""
        if not fids:
            return {}
        values = await self._redis.mget([self._state_key(f) for f in fids])
        return {f: FeedState.model_validate_json(v) if v else FeedState() for f, v in zip(fids, values, strict=True)}

    async def save_state(self, fid: str, state: FeedState) -> None:
        """Store the state, unless the feed was deleted meanwhile."""
        if await self._redis.hexists(self._feeds_key, fid):
            await self._redis.set(self._state_key(fid), state.model_dump_json())

    async def acquire(self, fid: str, ttl_s: float) -> str | None:
        """Take the polling lease of a feed; the token to release it, or None when another replica holds it."""
        token = secrets.token_hex(8)
        ok = await self._redis.set(self._lease_key(fid), token, nx=True, px=int(ttl_s * 1000))
        return token if ok else None

    async def release(self, fid: str, token: str) -> None:
        """Give the lease back, only if it is still ours."""
        await self._redis.eval(_RELEASE, 1, self._lease_key(fid), token)

    async def load_file(self, path: str) -> list[FeedConfig]:
        """Add (or update) every feed listed in a TOML (``[[feeds]]`` tables) or JSON (a list) file."""
        text = Path(path).read_text(encoding="utf-8")
        data = tomllib.loads(text).get("feeds", []) if path.endswith(".toml") else json.loads(text)
        items = TypeAdapter(list[FeedIn]).validate_python(data)
        return [(await self.put(item))[0] for item in items]


def to_api(config: FeedConfig, state: FeedState) -> Feed:
    """The API view of a feed: configuration plus health (never the cache validators)."""
    return Feed(
        **config.model_dump(),
        health=FeedHealth.model_validate(state.model_dump(exclude={"etag", "last_modified"})),
    )
