"""Exact and near-duplicate memory in Redis.

Keys (all under ``HERALD_REDIS_PREFIX``):

- ``ingest:seen:<article id>``: the article was acknowledged by the broker; expires after
  ``ingest_dedupe_ttl_seconds``. Written only *after* the ack, so a crash between
  producing and marking can at worst publish an article twice (at-least-once), never
  drop one that was not in Kafka.
- ``ingest:band:<band>:<digest>``: set of article ids whose MinHash band hashes to it.
- ``ingest:sig:<article id>``: hash with the article's ``story`` id and packed sketch ``sig``.
  Band and signature keys expire after ``ingest_story_window_seconds``: a wire story is
  republished within days, not months.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import redis.asyncio as aioredis

from services.ingest import minhash
from services.ingest.minhash import Sketch
from services.runtime.settings import Settings

# A band key shared by very many articles is boilerplate, not a story; look at a bounded few.
_MAX_CANDIDATES = 200


class DuplicateStore:
    """Remembers published article ids and MinHash bands; tells which articles were seen before."""

    def __init__(self, redis: aioredis.Redis, settings: Settings) -> None:
        self._redis = redis
        self._prefix = f"{settings.redis_prefix}ingest:"
        self._ttl = settings.ingest_dedupe_ttl_seconds
        self._window = settings.ingest_story_window_seconds
        self.threshold = settings.ingest_near_duplicate_similarity

    def _seen_key(self, article_id: str) -> str:
        return f"{self._prefix}seen:{article_id}"

    async def seen(self, ids: Sequence[str]) -> set[str]:
        """The ids among ``ids`` already published."""
        if not ids:
            return set()
        values = await self._redis.mget([self._seen_key(i) for i in ids])
        return {i for i, v in zip(ids, values, strict=True) if v is not None}

    async def match_stories(self, signatures: dict[str, Sketch]) -> dict[str, tuple[str, float]]:
        """For each article id, the story id and similarity of its closest stored near-duplicate, if any."""
        if not signatures:
            return {}
        bands = {aid: minhash.band_keys(sig) for aid, sig in signatures.items()}
        pipe = self._redis.pipeline(transaction=False)
        for keys in bands.values():
            for key in keys:
                pipe.srandmember(f"{self._prefix}band:{key}", 20)
        replies = await pipe.execute()
        candidates: dict[str, set[str]] = {}
        cursor = 0
        for aid, keys in bands.items():
            found: set[str] = set()
            for members in replies[cursor : cursor + len(keys)]:
                found.update(m.decode() for m in members or [])
            cursor += len(keys)
            found.discard(aid)
            candidates[aid] = set(sorted(found)[:_MAX_CANDIDATES])
        wanted = sorted(set().union(*candidates.values()))
        if not wanted:
            return {}
        pipe = self._redis.pipeline(transaction=False)
        for cid in wanted:
            pipe.hmget(f"{self._prefix}sig:{cid}", ["story", "sig"])
        stored: dict[str, tuple[str, Sketch]] = {}
        for cid, (story, packed) in zip(wanted, await pipe.execute(), strict=True):
            if story is not None and packed is not None:
                stored[cid] = (story.decode(), minhash.unpack(packed))
        matches: dict[str, tuple[str, float]] = {}
        for aid, found in candidates.items():
            best = best_match(signatures[aid], (stored[c] for c in sorted(found) if c in stored), self.threshold)
            if best is not None:
                matches[aid] = best
        return matches

    async def remember(self, published: Iterable[tuple[str, str, Sketch | None]]) -> None:
        """Mark (article id, story id, signature) triples as published; call only after the broker acked."""
        pipe = self._redis.pipeline(transaction=False)
        count = 0
        for aid, story, sig in published:
            count += 1
            pipe.set(self._seen_key(aid), story, ex=self._ttl)
            if sig is None:
                continue
            sig_key = f"{self._prefix}sig:{aid}"
            pipe.hset(sig_key, mapping={"story": story, "sig": minhash.pack(sig)})
            pipe.expire(sig_key, self._window)
            for key in minhash.band_keys(sig):
                band_key = f"{self._prefix}band:{key}"
                pipe.sadd(band_key, aid)
                pipe.expire(band_key, self._window)
        if count:
            await pipe.execute()


def best_match(sig: Sketch, candidates: Iterable[tuple[str, Sketch]], threshold: float) -> tuple[str, float] | None:
    """The (story id, containment) of the most similar candidate at or above the threshold."""
    best: tuple[str, float] | None = None
    for story, other in candidates:
        score = minhash.containment(sig, other)
        if score >= threshold and (best is None or score > best[1]):
            best = (story, score)
    return best
