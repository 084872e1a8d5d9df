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
from typing import Any

from bench.corpus import articles
from bench.measure import proc_mib
from schemas.models import Article, ClassifiedArticle, Entity, TopicTag
from schemas.subscriptions import Subscription
from services.classify.classifier import Classifier
from services.notify.matcher import ArticleView, CompiledFilter, SubscriptionIndex, test

SUBSCRIPTIONS = 100_000
ARTICLES = 1_000
SCAN_SAMPLE = 10
TOPICS = Classifier.default().topic_ids
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


def subscriptions(count: int, rng: random.Random, whole_topics: float = 0.10) -> list[Subscription]:
    """A realistic mix: ``whole_topics`` take every article of their topics; of the rest about
    61% filter by place, 17% by actor and 22% by keyword query."""
    out = []
    for i in range(count):
        roll = rng.random() * 0.9 if rng.random() >= whole_topics else 0.95
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


def measure(subs: list[Subscription], docs: list[ClassifiedArticle], scan: bool) -> dict[str, Any]:
    """Index ``subs`` and match every article; optionally time a full scan of a sample too."""
    gc.collect()
    rss_before = proc_mib()
    started = time.perf_counter()
    index = SubscriptionIndex()
    for s in subs:
        index.put(s)
    build_s = time.perf_counter() - started
    gc.collect()
    index_mib = proc_mib() - rss_before

    per_article: list[float] = []
    candidates = matches = 0
    started = time.perf_counter()
    for doc in docs:
        t0 = time.perf_counter()
        view = ArticleView(doc)
        candidates += len(index.candidates(view))
        matches += len(index.match(view))
        per_article.append(time.perf_counter() - t0)
    rate = len(docs) / (time.perf_counter() - started)

    scan_rate = None
    if scan:
        compiled = [CompiledFilter.of(s) for s in subs]
        started = time.perf_counter()
        for doc in docs[:SCAN_SAMPLE]:
            view = ArticleView(doc)
            for c in compiled:
                test(c, view)
        scan_rate = round(SCAN_SAMPLE / (time.perf_counter() - started), 2)

    per_article.sort()
    return {
        "subscriptions": len(subs),
        "articles": len(docs),
        "articles_per_second_indexed": round(rate, 1),
        "articles_per_second_full_scan": scan_rate,
        "p50_ms_per_article": round(statistics.median(per_article) * 1000, 3),
        "p99_ms_per_article": round(per_article[int(len(per_article) * 0.99) - 1] * 1000, 3),
        "mean_candidates_per_article": round(candidates / len(docs), 1),
        "mean_matches_per_article": round(matches / len(docs), 1),
        "index_build_seconds": round(build_s, 2),
        "index_rss_mib": round(index_mib, 1),
        "distinct_filters": index.filters,
    }


SCENARIOS = (("broad", 0.10, True), ("selective", 0.01, False))


def run(report: dict[str, Any]) -> None:
    """Measure matching throughput with 100k subscriptions and add the figures to ``report``."""
    rng = random.Random(11)
    docs = classified_articles(ARTICLES, rng)
    section: dict[str, Any] = {}
    for name, whole, scan in SCENARIOS:
        section[name] = measure(subscriptions(SUBSCRIPTIONS, random.Random(11), whole), docs, scan)
        section[name]["whole_topic_share"] = whole
    report["matcher"] = section

    print(f"\nmatcher ({SUBSCRIPTIONS:,} subscriptions, {len(docs)} articles of ~2 KB, one core)")
    print("  mix (whole-topic share)   articles/s   p50 ms   p99 ms   filters tested   matches   build s   MiB")
    for name, whole, _scan in SCENARIOS:
        m = section[name]
        label = f"{name} ({whole:.0%})"
        rate, p50, p99 = m["articles_per_second_indexed"], m["p50_ms_per_article"], m["p99_ms_per_article"]
        tested, matched = m["mean_candidates_per_article"], m["mean_matches_per_article"]
        build, mib = m["index_build_seconds"], m["index_rss_mib"]
        row = f"  {label:<24} {rate:>11.0f} {p50:>8.2f} {p99:>8.2f} {tested:>16.0f} {matched:>9.0f}"
        print(f"{row} {build:>9.1f} {mib:>5.0f}")
    broad = section["broad"]
    print(f"  full scan, broad mix (sample of {SCAN_SAMPLE}): {broad['articles_per_second_full_scan']:.1f} articles/s")


if __name__ == "__main__":
    run({})
