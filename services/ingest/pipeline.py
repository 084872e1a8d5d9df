"""The one path every article takes after normalisation: drop exact duplicates, find its
story, publish, and only then remember it. Shared by the HTTP API, the feed poller and
(through the API) ``herald ingest``.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass

from redis.exceptions import RedisError

from schemas.models import Article
from services.ingest import minhash
from services.ingest.dedupe import DuplicateStore, best_match
from services.ingest.metrics import IngestMetrics
from services.ingest.minhash import Sketch
from services.ingest.producer import ArticlePublisher

log = logging.getLogger(__name__)


class StoreUnavailable(RuntimeError):
    """Redis could not be reached, so duplicates cannot be told apart; nothing was published."""


@dataclass(frozen=True)
class Outcome:
    """What happened to one article of a batch."""

    id: str
    story_id: str
    duplicate: bool


def _signature_text(article: Article) -> str:
    return f"{article.title}\n{article.body}"


class IngestPipeline:
    """Dedupe, assign stories, publish with acks, then mark as seen."""

    def __init__(self, publisher: ArticlePublisher, store: DuplicateStore, metrics: IngestMetrics) -> None:
        self._publisher = publisher
        self._store = store
        self._metrics = metrics

    async def submit(self, articles: Sequence[Article], via: str) -> list[Outcome]:
        """Publish the new articles of the batch; return one outcome per input, in order.

        Raises StoreUnavailable (Redis down) or BrokerUnavailable (no ack in time); in both
        cases the caller must treat the whole batch as not accepted.
        """
        started = time.perf_counter()
        first: dict[str, Article] = {}
        for article in articles:
            first.setdefault(article.id, article)
        try:
            seen = await self._store.seen(list(first))
        except (RedisError, OSError) as exc:
            raise StoreUnavailable(f"redis unavailable: {exc}") from exc
        fresh = [a for aid, a in first.items() if aid not in seen]
        signatures = await asyncio.to_thread(_signatures, fresh)
        try:
            matches = await self._store.match_stories({k: v for k, v in signatures.items() if v is not None})
        except (RedisError, OSError) as exc:
            raise StoreUnavailable(f"redis unavailable: {exc}") from exc
        to_publish = _assign_stories(fresh, signatures, matches, self._store.threshold)
        self._metrics.dedupe_seconds.observe(time.perf_counter() - started)

        await asyncio.to_thread(self._publisher.publish, to_publish, via)

        near = sum(a.story_id != a.id for a in to_publish)
        if near:
            self._metrics.near_duplicates.labels(via).inc(near)
        try:
            await self._store.remember((a.id, a.story_id, signatures.get(a.id)) for a in to_publish)
        except (RedisError, OSError) as exc:
            # Already in Kafka: report success. A retry may publish it again (at-least-once).
            log.warning("could not mark published articles as seen", extra={"error": str(exc)})
        published = {a.id: a for a in to_publish}
        outcomes: list[Outcome] = []
        claimed: set[str] = set()
        for article in articles:
            done = published.get(article.id)
            if done is not None and article.id not in claimed:
                claimed.add(article.id)
                outcomes.append(Outcome(article.id, done.story_id, duplicate=False))
            else:
                outcomes.append(Outcome(article.id, done.story_id if done else article.story_id, duplicate=True))
        dupes = sum(o.duplicate for o in outcomes)
        if dupes:
            self._metrics.duplicates.labels(via).inc(dupes)
        return outcomes


def _signatures(articles: Sequence[Article]) -> dict[str, Sketch | None]:
    return {a.id: minhash.sketch(_signature_text(a)) for a in articles}


def _assign_stories(
    articles: Sequence[Article],
    signatures: dict[str, Sketch | None],
    matches: dict[str, tuple[str, float]],
    threshold: float,
) -> list[Article]:
    """Each article gets the story of its best stored match, or of an earlier article of the same batch."""
    out: list[Article] = []
    batch: list[tuple[str, Sketch]] = []
    for article in articles:
        sig = signatures.get(article.id)
        story = article.id
        stored = matches.get(article.id)
        local = best_match(sig, batch, threshold) if sig is not None else None
        if stored and (local is None or stored[1] >= local[1]):
            story = stored[0]
        elif local:
            story = local[0]
        if sig is not None:
            batch.append((story, sig))
        out.append(article if story == article.story_id else article.model_copy(update={"story_id": story}))
    return out
