"""Decide which subscriptions an article matches, and why (pure: values in, decisions out).

``SubscriptionIndex`` keeps compiled subscriptions bucketed by topic and, inside a topic, by the
place or actor they require, so an article only meets the subscriptions that could match it:
an ``all`` subscription is filed under one of its topics only (it needs every one of them
anyway), a subscription restricted to places is filed under each place rather than in the
topic's open bucket.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from urllib.parse import urlsplit

from schemas.models import ClassifiedArticle, TopicTag
from schemas.subscriptions import Subscription
from services.notify.query import Document, Node, parse

Thresholds = Callable[[str], float]


def _no_threshold(_topic: str) -> float:
    return 0.0


@dataclass(frozen=True)
class Match:
    """A subscription that fires for an article, with the topics that made it fire."""

    subscription: Subscription
    matched_topics: tuple[str, ...]


def alert_id(subscription_id: str, story_id: str) -> str:
    """Stable alert id for one (subscription, story): replays and retries reuse it."""
    return "al_" + hashlib.sha256(f"{subscription_id}\x1f{story_id}".encode()).hexdigest()[:32]


def _keys(values: Iterable[str]) -> frozenset[str]:
    return frozenset(v.strip().lower() for v in values if v.strip())


def _language(value: str | None) -> str | None:
    return value.split("-", 1)[0].split("_", 1)[0].lower() if value else None


@dataclass(frozen=True)
class CompiledSubscription:
    """A subscription with its filters prepared for fast tests."""

    subscription: Subscription
    topics: tuple[str, ...]
    every: bool
    min_score: float | None
    query: Node | None
    places: frozenset[str]
    actors: frozenset[str]
    sources: frozenset[str]
    languages: frozenset[str]

    @classmethod
    def of(cls, sub: Subscription) -> CompiledSubscription:
        """Compile; raises QuerySyntaxError for a query that does not parse."""
        return cls(
            subscription=sub,
            topics=tuple(sub.topics),
            every=sub.match == "all",
            min_score=sub.min_score,
            query=parse(sub.query) if sub.query else None,
            places=_keys(sub.places),
            actors=_keys(sub.actors),
            sources=_keys(sub.sources),
            languages=frozenset(filter(None, (_language(x) for x in sub.languages))),
        )


@dataclass
class ArticleView:
    """An article prepared once for testing against many subscriptions."""

    article: ClassifiedArticle
    tags: dict[str, TopicTag] = field(init=False)
    places: frozenset[str] = field(init=False)
    actors: frozenset[str] = field(init=False)
    sources: frozenset[str] = field(init=False)
    language: str | None = field(init=False)

    def __post_init__(self) -> None:
        a = self.article
        self.tags = {t.topic: t for t in a.topics}
        self.places = _keys(x for e in a.entities if e.kind == "place" for x in (e.id, e.name))
        self.actors = _keys(x for e in a.entities if e.kind == "actor" for x in (e.id, e.name))
        sources = [a.article.source or ""]
        host = (urlsplit(a.article.url).hostname or "") if a.article.url else ""
        labels = host.removeprefix("www.").split(".")
        # A subscription to "bbc.co.uk" matches news.bbc.co.uk as well.
        sources += [".".join(labels[i:]) for i in range(len(labels) - 1)] if host else []
        self.sources = _keys(sources)
        self.language = _language(a.article.language)

    @cached_property
    def document(self) -> Document:
        """Title and body tokenised, only when some candidate has a keyword query."""
        return Document.of(self.article.article.title + "\n" + self.article.article.body)


def test(c: CompiledSubscription, view: ArticleView, thresholds: Thresholds = _no_threshold) -> Match | None:
    """The match of one compiled subscription against an article, or None."""
    sub = c.subscription
    if not sub.active:
        return None
    tags = view.tags
    passing = []
    for topic in c.topics:
        tag = tags.get(topic)
        if tag is not None and tag.score >= (c.min_score if c.min_score is not None else thresholds(topic)):
            passing.append(topic)
        elif c.every:
            return None
    if not passing:
        return None
    if c.sources and not (c.sources & view.sources):
        return None
    if c.languages and view.language not in c.languages:
        return None
    if c.places and not (c.places & view.places):
        return None
    if c.actors and not (c.actors & view.actors):
        return None
    if c.query is not None and not c.query.test(view.document):
        return None
    return Match(sub, tuple(passing))


Bucket = dict[str, CompiledSubscription]


class SubscriptionIndex:
    """Compiled subscriptions filed by topic (and place/actor), with add, remove and lookup."""

    def __init__(self, thresholds: Thresholds = _no_threshold) -> None:
        self._thresholds = thresholds
        self._open: dict[str, Bucket] = {}
        self._by_place: dict[str, dict[str, Bucket]] = {}
        self._by_actor: dict[str, dict[str, Bucket]] = {}
        self._filed: dict[str, list[Bucket]] = {}
        self.compiled: dict[str, CompiledSubscription] = {}

    def __len__(self) -> int:
        return len(self.compiled)

    def put(self, c: CompiledSubscription) -> None:
        """Add or replace a subscription."""
        sub_id = c.subscription.id
        self.remove(sub_id)
        if not c.subscription.active:
            return
        buckets: list[Bucket] = []
        for topic in c.topics[:1] if c.every else c.topics:
            if c.places:
                by = self._by_place.setdefault(topic, {})
                buckets += [by.setdefault(k, {}) for k in c.places]
            elif c.actors:
                by = self._by_actor.setdefault(topic, {})
                buckets += [by.setdefault(k, {}) for k in c.actors]
            else:
                buckets.append(self._open.setdefault(topic, {}))
        for bucket in buckets:
            bucket[sub_id] = c
        self._filed[sub_id] = buckets
        self.compiled[sub_id] = c

    def remove(self, sub_id: str) -> None:
        """Forget a subscription (no error when unknown)."""
        for bucket in self._filed.pop(sub_id, ()):
            bucket.pop(sub_id, None)
        self.compiled.pop(sub_id, None)

    def candidates(self, view: ArticleView) -> dict[str, CompiledSubscription]:
        """Subscriptions that could match the article, without testing them."""
        found: dict[str, CompiledSubscription] = {}
        for topic in view.tags:
            bucket = self._open.get(topic)
            if bucket:
                found.update(bucket)
            by_place = self._by_place.get(topic)
            if by_place:
                for key in view.places:
                    found.update(by_place.get(key, {}))
            by_actor = self._by_actor.get(topic)
            if by_actor:
                for key in view.actors:
                    found.update(by_actor.get(key, {}))
        return found

    def match(self, article: ClassifiedArticle | ArticleView) -> list[Match]:
        """Every indexed subscription the article matches."""
        view = article if isinstance(article, ArticleView) else ArticleView(article)
        out = []
        for c in self.candidates(view).values():
            hit = test(c, view, self._thresholds)
            if hit is not None:
                out.append(hit)
        return out


def match(
    article: ClassifiedArticle,
    candidates: Iterable[Subscription],
    default_threshold: Thresholds = _no_threshold,
) -> list[Match]:
    """Every candidate subscription the article matches (no index; for previews and small sets)."""
    view = ArticleView(article)
    found = (test(CompiledSubscription.of(sub), view, default_threshold) for sub in candidates)
    return [m for m in found if m is not None]
