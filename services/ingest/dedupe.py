"""Exact and near-duplicate memory in Redis.

Keys (all under ``HERALD_REDIS_PREFIX``):

- ``ingest:seen:<article id>``: the article was acknowledged by the broker; expires after
  ``ingest_dedupe_ttl_seconds``. Written only *after* the ack, so a crash between
  producing and marking can at worst publish an article twice (at-least-once), never
  drop one that was not in Kafka.
- ``ingest:band:<band>:<digest>``: sorted set of article ids whose MinHash band hashes to
  it, scored by time; entries older than ``ingest_story_window_seconds`` are trimmed and
  only the newest ``_BAND_CAP`` are kept, so a band shared by boilerplate cannot grow
  without bound.
- ``ingest:sig:<article id>``: hash with the article's ``story`` id and packed sketch
  ``sig``, expiring after the story window: a wire story is republished within days.

Lookups and updates run as Lua scripts, one call per batch: thousands of small commands
through redis-py cost far more client CPU than the work itself. The scripts build key
names from the prefix, so they assume one Redis (not Redis Cluster), as all of Herald does.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence

import redis.asyncio as aioredis

from services.ingest import minhash
from services.ingest.minhash import Sketch
from services.runtime.settings import Settings

# A band key shared by very many articles is boilerplate, not a story; look at a bounded few.
_PER_BAND = 20
_MAX_CANDIDATES = 8
_BAND_CAP = 200

# ARGV: prefix, per-band limit, max candidates, then per article: band count, band keys...
# Candidates are ranked by the number of bands they share (the expected count grows with
# the square of the similarity); only the best few are returned. Returns, per article, a
# flat list: candidate id, story, packed sketch, ...
_MATCH = """
local prefix, per_band, max_cand = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local out, i = {}, 4
while i <= #ARGV do
  local nbands = tonumber(ARGV[i]); i = i + 1
  local hits, order = {}, {}
  for b = 1, nbands do
    for _, cid in ipairs(redis.call('ZREVRANGE', prefix .. 'band:' .. ARGV[i + b - 1], 0, per_band - 1)) do
      if hits[cid] then hits[cid] = hits[cid] + 1 else hits[cid] = 1; table.insert(order, cid) end
    end
  end
  i = i + nbands
  table.sort(order, function(a, b) if hits[a] ~= hits[b] then return hits[a] > hits[b] end return a < b end)
  local found = {}
  for k = 1, math.min(max_cand, #order) do
    local v = redis.call('HMGET', prefix .. 'sig:' .. order[k], 'story', 'sig')
    if v[1] and v[2] then
      table.insert(found, order[k]); table.insert(found, v[1]); table.insert(found, v[2])
    end
  end
  table.insert(out, found)
end
return out
"""

# ARGV: prefix, seen ttl, window, now, cap, then per article: id, story, sketch or "", band count, band keys...
_REMEMBER = """
local prefix, ttl, window = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local now, cap = tonumber(ARGV[4]), tonumber(ARGV[5])
local i = 6
while i <= #ARGV do
  local id, story, sig, nbands = ARGV[i], ARGV[i + 1], ARGV[i + 2], tonumber(ARGV[i + 3])
  i = i + 4
  redis.call('SET', prefix .. 'seen:' .. id, story, 'EX', ttl)
  if sig ~= '' then
    local sig_key = prefix .. 'sig:' .. id
    redis.call('HSET', sig_key, 'story', story, 'sig', sig)
    redis.call('EXPIRE', sig_key, window)
  end
  for b = 0, nbands - 1 do
    local band_key = prefix .. 'band:' .. ARGV[i + b]
    redis.call('ZADD', band_key, now, id)
    redis.call('ZREMRANGEBYSCORE', band_key, '-inf', now - window)
    redis.call('ZREMRANGEBYRANK', band_key, 0, -cap - 1)
    redis.call('EXPIRE', band_key, window)
  end
  i = i + nbands
end
return 0
"""


class DuplicateStore:
    """Remembers published article ids and MinHash bands; tells which articles were seen before."""

    def __init__(self, redis: aioredis.Redis, settings: Settings) -> None:
        self._redis = redis
        self._prefix = f"{settings.redis_prefix}ingest:"
        self._ttl = settings.ingest_dedupe_ttl_seconds
        self._window = settings.ingest_story_window_seconds
        self.threshold = settings.ingest_near_duplicate_similarity
        self._match = redis.register_script(_MATCH)
        self._remember = redis.register_script(_REMEMBER)

    def _seen_key(self, article_id: str) -> str:
        return f"{self._prefix}seen:{article_id}"

    async def seen(self, ids: Sequence[str]) -> set[str]:
        """The ids among ``ids`` already published."""
        if not ids:
            return set()
        values = await self._redis.mget([self._seen_key(i) for i in ids])
        return {i for i, v in zip(ids, values, strict=True) if v is not None}

    async def match_stories(self, sketches: dict[str, Sketch]) -> dict[str, tuple[str, float]]:
        """For each article id, the story id and containment of its closest stored near-duplicate, if any."""
        if not sketches:
            return {}
        argv: list[str | bytes | int] = [self._prefix, _PER_BAND, _MAX_CANDIDATES]
        for item in sketches.values():
            keys = minhash.band_keys(item)
            argv += [len(keys), *keys]
        replies = await self._match(args=argv)
        matches: dict[str, tuple[str, float]] = {}
        for (aid, item), flat in zip(sketches.items(), replies, strict=True):
            candidates = [
                (flat[k + 1].decode(), minhash.unpack(flat[k + 2]))
                for k in range(0, len(flat), 3)
                if flat[k].decode() != aid
            ]
            best = best_match(item, candidates, self.threshold)
            if best is not None:
                matches[aid] = best
        return matches

    async def remember(self, published: Iterable[tuple[str, str, Sketch | None]]) -> None:
        """Mark (article id, story id, sketch) triples as published; call only after the broker acked."""
        argv: list[str | bytes | int | float] = [self._prefix, self._ttl, self._window, time.time(), _BAND_CAP]
        for aid, story, item in published:
            keys = minhash.band_keys(item) if item is not None else []
            argv += [aid, story, minhash.pack(item) if item is not None else b"", len(keys), *keys]
        if len(argv) > 5:
            await self._remember(args=argv)


def best_match(sig: Sketch, candidates: Iterable[tuple[str, Sketch]], threshold: float) -> tuple[str, float] | None:
    """The (story id, containment) of the most similar candidate at or above the threshold."""
    best: tuple[str, float] | None = None
    for story, other in candidates:
        score = minhash.containment(sig, other)
        if score >= threshold and (best is None or score > best[1]):
            best = (story, score)
    return best
