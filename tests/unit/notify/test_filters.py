"""Filters and the subscription index: keywords, places, actors, sources, languages; index == scan."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from typing import Any

import pytest

from schemas.models import Article, ClassifiedArticle, Entity, TopicTag
from schemas.subscriptions import Subscription
from services.notify.matcher import SubscriptionIndex, match

NOW = datetime.now(UTC)
TOPICS = ["evacuation", "prisoner_exchange", "airstrike_shelling", "humanitarian_aid"]


def sub(sub_id: str, **fields: Any) -> Subscription:
    values: dict[str, Any] = {
        "id": sub_id,
        "tenant": "t",
        "name": sub_id,
        "topics": ("evacuation",),
        "match": "any",
        "min_score": None,
        "channel": {"type": "webhook", "url": "https://example.com/h"},
        "active": True,
        "created_at": NOW,
    }
    values.update(fields)
    return Subscription.model_validate(values)


def article(
    topics: dict[str, float] | None = None,
    places: tuple[tuple[str, str], ...] = (("ua-kyiv", "Kyiv"),),
    actors: tuple[tuple[str, str], ...] = (),
    source: str | None = "Reuters",
    url: str | None = "https://www.reuters.com/world/x",
    language: str | None = "en-GB",
    body: str = "Authorities evacuated 300 residents from Kyiv suburbs after shelling.",
) -> ClassifiedArticle:
    art = Article(
        id="a1",
        story_id="s1",
        title="Evacuation",
        body=body,
        url=url,
        source=source,
        language=language,
        received_at=NOW,
    )
    tags = tuple(TopicTag(topic=t, score=s) for t, s in (topics or {"evacuation": 0.8}).items())
    ents = tuple(Entity(kind="place", id=i, name=n) for i, n in places) + tuple(
        Entity(kind="actor", id=i, name=n) for i, n in actors
    )
    return ClassifiedArticle(article=art, topics=tags, entities=ents, classified_at=NOW)


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({}, True),
        ({"query": "residents AND shelling"}, True),
        ({"query": '"kyiv suburbs" NOT drill'}, True),
        ({"query": "ceasefire"}, False),
        ({"places": ("Kyiv",)}, True),
        ({"places": ("ua-kyiv",)}, True),
        ({"places": ("Kharkiv", "kyiv")}, True),
        ({"places": ("Kharkiv",)}, False),
        ({"actors": ("un",)}, False),
        ({"sources": ("reuters",)}, True),
        ({"sources": ("reuters.com",)}, True),
        ({"sources": ("bbc.co.uk",)}, False),
        ({"languages": ("en",)}, True),
        ({"languages": ("uk", "ru")}, False),
        ({"min_score": 0.9}, False),
        ({"topics": ("evacuation", "airstrike_shelling"), "match": "all"}, False),
        ({"active": False}, False),
    ],
)
def test_each_filter(fields: dict[str, Any], expected: bool) -> None:
    s = sub("s", **fields)
    assert bool(match(article(), [s])) is expected
    index = SubscriptionIndex()
    index.put(s)
    assert bool(index.match(article())) is expected


def test_article_without_language_does_not_match_a_language_filter() -> None:
    assert match(article(language=None), [sub("s", languages=("en",))]) == []


def test_index_agrees_with_a_full_scan_on_random_data() -> None:
    rng = random.Random(42)
    places = [("ua-kyiv", "Kyiv"), ("ua-kharkiv", "Kharkiv"), ("ps-gaza", "Gaza"), ("sd", "Sudan")]
    actors = [("un", "United Nations"), ("icrc", "ICRC")]
    subs = []
    for i in range(600):
        fields: dict[str, Any] = {
            "topics": tuple(rng.sample(TOPICS, rng.randint(1, 3))),
            "match": rng.choice(["any", "all"]),
        }
        if rng.random() < 0.4:
            fields["places"] = tuple(p[rng.randint(0, 1)] for p in rng.sample(places, 2))
        if rng.random() < 0.3:
            fields["actors"] = (rng.choice(actors)[0],)
        if rng.random() < 0.2:
            fields["query"] = rng.choice(
                [
                    "residents",
                    "shelling OR aid",
                    '"kyiv suburbs"',
                    "NOT drill",
                    "evacuat* AND residents",
                    "(aid OR convoy) AND NOT budget",
                    "residents -drill",
                    "evacuat*",
                    "convoy OR evacuat*",
                ]
            )
        if rng.random() < 0.2:
            fields["min_score"] = rng.choice([0.3, 0.7, 0.9])
        subs.append(sub(f"s{i}", **fields))
    index = SubscriptionIndex()
    for s in subs:
        index.put(s)
    for _ in range(60):
        art = article(
            topics={t: rng.choice([0.5, 0.8, 0.95]) for t in rng.sample(TOPICS, rng.randint(1, 3))},
            places=tuple(rng.sample(places, rng.randint(0, 2))),
            actors=tuple(rng.sample(actors, rng.randint(0, 1))),
        )
        scanned = {(m.subscription.id, m.matched_topics) for m in match(art, subs)}
        indexed = {(m.subscription.id, m.matched_topics) for m in index.match(art)}
        assert indexed == scanned


def test_index_put_replaces_and_remove_forgets() -> None:
    index = SubscriptionIndex()
    index.put(sub("s", places=("Kharkiv",)))
    assert index.match(article()) == []
    index.put(sub("s", places=("Kyiv",)))
    assert [m.subscription.id for m in index.match(article())] == ["s"]
    index.put(sub("s", active=False))
    assert index.match(article()) == [] and len(index) == 0
    index.put(sub("s"))
    index.remove("s")
    assert index.match(article()) == []


def test_query_anchors_are_words_one_of_which_must_appear() -> None:
    from services.notify.query import anchors, parse

    assert anchors(parse("residents")) == {"residents"}
    assert anchors(parse('"prisoners of war"')) == {"prisoners"}
    assert anchors(parse("aid OR convoy")) == {"aid", "convoy"}
    assert anchors(parse("(aid OR convoy) AND residents")) == {"residents"}
    assert anchors(parse("aid AND NOT budget")) == {"aid"}
    assert anchors(parse("NOT budget")) is None
    assert anchors(parse("evacuat*")) is None
    assert anchors(parse("aid OR evacuat*")) is None


def test_identical_filters_are_compiled_once_and_each_subscriber_matches() -> None:
    index = SubscriptionIndex()
    for i in range(5):
        index.put(sub(f"s{i}", places=("Kyiv",), query="residents"))
    index.put(sub("other", places=("KYIV ",), query="residents", tenant="u"))
    assert index.filters == 1 and len(index) == 6
    assert sorted(m.subscription.id for m in index.match(article())) == ["other", "s0", "s1", "s2", "s3", "s4"]
    for i in range(5):
        index.remove(f"s{i}")
    assert [m.subscription.id for m in index.match(article())] == ["other"]
    index.remove("other")
    assert index.filters == 0 and index.match(article()) == []
