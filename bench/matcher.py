"""Matcher benchmark: classified articles matched per second against 100,000 subscriptions.

``run(report)`` adds a ``matcher`` section to ``report`` and prints a table. The subscription
mix is what a news-alerting service sees: most subscribers follow a place or an actor, some
use keyword queries, a minority takes every article of a topic. The same articles are also
matched by a full scan of a sample, to show what the index saves.
"""

from __future__ import annotations

import gc
import random
import statistics
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.corpus import articles
from schemas.models import Article, ClassifiedArticle, Entity, TopicTag
from schemas.subscriptions import Subscription
from services.notify.matcher import ArticleView, CompiledFilter, SubscriptionIndex, test

SUBSCRIPTIONS = 100_000
ARTICLES = 1_000
SCAN_SAMPLE = 10
TOPICS = (
    "prisoner_exchange",
    "evacuation",
    "ceasefire_negotiations",
    "airstrike_shelling",
    "civilian_casualties",
    "surrender_capture",
    "humanitarian_aid",
    "war_crimes_justice",
)
PLACES = [(f"p{i}", f"Place{i}") for i in range(300)]
ACTORS = [(f"a{i}", f"Actor{i}") for i in range(80)]
WORDS = (
    "prisoners", "hostages", "truce", "talks", "ceasefire", "convoy", "aid", "refugees", "shelling", "drone",
    "missile", "border", "hospital", "school", "children", "army", "rebels", "militia", "court", "tribunal",
    "famine", "water", "corridor", "siege", "city", "village", "officials", "minister", "president", "police",
)  # fmt: skip


def query(rng: random.Random) -> str:
    """One of thousands of distinct keyword queries: words, phrases, OR, AND, NOT, prefixes."""
    shape = rng.random()
    a, b, c = rng.sample(WORDS, 3)
    if shape < 0.3:
        return a
    if shape < 0.5:
        return f"{a} OR {b}"
    if shape < 0.65:
        return f"{a} {b}"
    if shape < 0.75:
        return f'"{a} {b}"'
    if shape < 0.9:
        return f"({a} OR {b}) AND NOT {c}"
    return f"{a[:5]}* OR {b}"


SOURCES = ("Reuters", "AP", "bbc.co.uk", "Al Jazeera")
NOW = datetime.now(UTC)


def _rss_mib() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def subscriptions(count: int, rng: random.Random) -> list[Subscription]:
    """A realistic mix: 55% by place, 15% by actor, 20% keyword, 10% whole topics."""
    out = []
    for i in range(count):
        roll = rng.random()
        fields: dict[str, Any] = {
            "topics": tuple(rng.sample(TOPICS, rng.choice((1, 1, 2, 3)))),
            "match": "all" if rng.random() < 0.1 else "any",
        }
        if roll < 0.55:
            fields["places"] = tuple(rng.choice(PLACES)[rng.randint(0, 1)] for _ in range(rng.randint(1, 3)))
        elif roll < 0.70:
            fields["actors"] = (rng.choice(ACTORS)[0],)
        elif roll < 0.90:
            fields["query"] = query(rng)
        if rng.random() < 0.1:
            fields["languages"] = ("en",)
        if rng.random() < 0.05:
            fields["sources"] = (rng.choice(SOURCES),)
        if rng.random() < 0.2:
            fields["min_score"] = rng.choice((0.5, 0.7, 0.9))
        out.append(
            Subscription.model_validate(
                {
                    "id": f"sub_{i:06d}",
                    "tenant": f"t{i % 500}",
                    "name": f"s{i}",
                    "match": "any",
                    "min_score": None,
                    "channel": {"type": "webhook", "url": "https://example.com/h"},
                    "active": True,
                    "created_at": NOW,
                }
                | fields
            )
        )
    return out


def classified_articles(count: int, rng: random.Random) -> list[ClassifiedArticle]:
    """Corpus articles (about 2 KB each) with 1-2 topics, 1-3 places and maybe an actor."""
    out = []
    for n, raw in enumerate(articles(count)):
        art = Article(
            id=f"a{n}",
            story_id=f"s{n}",
            title=raw["title"],
            body=raw["body"],
            url=raw.get("url"),
            source=rng.choice(SOURCES),
            language="en",
            received_at=NOW,
        )
        tags = tuple(TopicTag(topic=t, score=rng.uniform(0.5, 1.0)) for t in rng.sample(TOPICS, rng.randint(1, 2)))
        ents = tuple(Entity(kind="place", id=i, name=nm) for i, nm in rng.sample(PLACES, rng.randint(1, 3)))
        if rng.random() < 0.4:
            ents += tuple(Entity(kind="actor", id=i, name=nm) for i, nm in rng.sample(ACTORS, 1))
        out.append(ClassifiedArticle(article=art, topics=tags, entities=ents, classified_at=NOW))
    return out


def run(report: dict[str, Any]) -> None:
    """Measure matching throughput with 100k subscriptions and add the figures to ``report``."""
    rng = random.Random(11)
    subs = subscriptions(SUBSCRIPTIONS, rng)
    docs = classified_articles(ARTICLES, rng)
    gc.collect()
    rss_before = _rss_mib()
    started = time.perf_counter()
    index = SubscriptionIndex()
    for s in subs:
        index.put(s)
    build_s = time.perf_counter() - started
    gc.collect()
    index_mib = _rss_mib() - rss_before

    per_article: list[float] = []
    candidates = matches = 0
    started = time.perf_counter()
    for doc in docs:
        t0 = time.perf_counter()
        view = ArticleView(doc)
        candidates += len(index.candidates(view))
        matches += len(index.match(view))
        per_article.append(time.perf_counter() - t0)
    indexed_s = time.perf_counter() - started
    rate = len(docs) / indexed_s

    compiled = [CompiledFilter.of(s) for s in subs]
    started = time.perf_counter()
    for doc in docs[:SCAN_SAMPLE]:
        view = ArticleView(doc)
        for c in compiled:
            test(c, view)
    scan_rate = SCAN_SAMPLE / (time.perf_counter() - started)

    per_article.sort()
    p50 = statistics.median(per_article) * 1000
    p99 = per_article[int(len(per_article) * 0.99) - 1] * 1000
    section = {
        "subscriptions": SUBSCRIPTIONS,
        "articles": len(docs),
        "articles_per_second_indexed": round(rate, 1),
        "articles_per_second_full_scan": round(scan_rate, 2),
        "p50_ms_per_article": round(p50, 3),
        "p99_ms_per_article": round(p99, 3),
        "mean_candidates_per_article": round(candidates / len(docs), 1),
        "mean_matches_per_article": round(matches / len(docs), 1),
        "index_build_seconds": round(build_s, 2),
        "index_rss_mib": round(index_mib, 1),
        "distinct_filters": index.filters,
    }
    report["matcher"] = section
    print(f"\nmatcher ({SUBSCRIPTIONS:,} subscriptions, {len(docs)} articles of ~2 KB, one core)")
    print(f"  articles/s, topic+entity index     {rate:10.0f}")
    print(f"  articles/s, full scan (sample)     {scan_rate:10.1f}   ({rate / scan_rate:.0f}x slower)")
    print(f"  ms per article p50 / p99           {p50:7.2f} / {p99:.2f}")
    print(f"  candidates / matches per article   {candidates / len(docs):10.0f} / {matches / len(docs):.0f}")
    print(f"  index build s / RSS MiB            {build_s:10.1f} / {index_mib:.0f}")
    print(f"  distinct filters (shared)          {index.filters:10d}")


if __name__ == "__main__":
    run({})
