"""Decide which subscriptions an article matches, and why (pure: values in, decisions out).

``SubscriptionIndex`` keeps compiled filters bucketed by topic and, inside a topic, by the
place, actor or keyword they require, so an article only meets the filters that could match
it: an ``all`` filter is filed under one of its topics only (it needs every one of them
anyway), a filter restricted to places is filed under each place rather than in the topic's
open bucket, and a keyword filter under the words one of which its query needs
(``query.anchors``). Subscriptions with identical filters share one compiled filter, which is
tested once per article however many subscribers hold it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from urllib.parse import urlsplit

from schemas.models import ClassifiedArticle, TopicTag
from schemas.subscriptions import Subscription
from services.notify.query import Document, Node, anchors, parse

Thresholds = Callable[[str], float]


def _no_threshold(_topic: str) -> float:
    return 0.0


@dataclass(frozen=True, slots=True)
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


Signature = tuple[object, ...]


def signature(sub: Subscription) -> Signature:
    """What decides matching; subscriptions with equal signatures match exactly the same articles."""
    return (
        sub.topics,
        sub.match,
        sub.min_score,
        sub.query,
        tuple(sorted(_keys(sub.places))),
        tuple(sorted(_keys(sub.actors))),
        tuple(sorted(_keys(sub.sources))),
        tuple(sorted(_language(x) or "" for x in sub.languages)),
    )


@dataclass(frozen=True, slots=True)
class CompiledFilter:
    """A subscription's filters prepared for fast tests."""

    topics: tuple[str, ...]
    floors: tuple[tuple[str, float], ...]
    every: bool
    query: Node | None
    places: frozenset[str]
    actors: frozenset[str]
    sources: frozenset[str]
    languages: frozenset[str]
    filtered: bool
    words: frozenset[str] | None

    @classmethod
    def of(cls, sub: Subscription, thresholds: Thresholds = _no_threshold) -> CompiledFilter:
        """Compile; raises QuerySyntaxError for a query that does not parse."""
        query = parse(sub.query) if sub.query else None
        return cls(
            topics=tuple(sub.topics),
            floors=tuple((t, sub.min_score if sub.min_score is not None else thresholds(t)) for t in sub.topics),
            every=sub.match == "all",
            query=query,
            places=_keys(sub.places),
            actors=_keys(sub.actors),
            sources=_keys(sub.sources),
            languages=frozenset(filter(None, (_language(x) for x in sub.languages))),
            filtered=bool(query or sub.places or sub.actors or sub.sources or sub.languages),
            words=anchors(query) if query is not None else None,
        )


@dataclass
class ArticleView:
    """An article prepared once for testing against many filters."""

    article: ClassifiedArticle
    tags: dict[str, TopicTag] = field(init=False)
    scores: dict[str, float] = field(init=False)
    places: frozenset[str] = field(init=False)
    actors: frozenset[str] = field(init=False)
    sources: frozenset[str] = field(init=False)
    language: str | None = field(init=False)

    def __post_init__(self) -> None:
        a = self.article
        self.tags = {t.topic: t for t in a.topics}
        self.scores = {t.topic: t.score for t in a.topics}
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


def test(c: CompiledFilter, view: ArticleView) -> tuple[str, ...] | None:
    """The topics for which the article passes the filter, or None when it does not match."""
    scores = view.scores
    passing = []
    for topic, floor in c.floors:
        score = scores.get(topic)
        if score is not None and score >= floor:
            passing.append(topic)
        elif c.every:
            return None
    if not passing:
        return None
    if c.filtered:
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
    return tuple(passing)


@dataclass(slots=True)
class _Shared:
    """One compiled filter and every active subscription that holds it."""

    filter: CompiledFilter
    subscriptions: dict[str, Subscription]
    buckets: list[dict[Signature, _Shared]]


Bucket = dict[Signature, _Shared]


class SubscriptionIndex:
    """Active subscriptions, their filters compiled once per signature and filed by topic
    (and place, actor or keyword), with put, remove and match."""

    def __init__(self, thresholds: Thresholds = _no_threshold) -> None:
        self._thresholds = thresholds
        self._open: dict[str, Bucket] = {}
        self._by_place: dict[str, dict[str, Bucket]] = {}
        self._by_actor: dict[str, dict[str, Bucket]] = {}
        self._by_word: dict[str, dict[str, Bucket]] = {}
        self._shared: dict[Signature, _Shared] = {}
        self._signature_of: dict[str, Signature] = {}

    def __len__(self) -> int:
        return len(self._signature_of)

    @property
    def filters(self) -> int:
        """How many distinct filters the subscriptions share."""
        return len(self._shared)

    def put(self, sub: Subscription) -> None:
        """Add or replace a subscription (a paused one is only removed); raises QuerySyntaxError."""
        self.remove(sub.id)
        if not sub.active:
            return
        sig = signature(sub)
        shared = self._shared.get(sig)
        if shared is None:
            shared = self._file(sig, CompiledFilter.of(sub, self._thresholds))
        shared.subscriptions[sub.id] = sub
        self._signature_of[sub.id] = sig

    def _file(self, sig: Signature, c: CompiledFilter) -> _Shared:
        buckets: list[Bucket] = []
        for topic in c.topics[:1] if c.every else c.topics:
            if c.places:
                by = self._by_place.setdefault(topic, {})
                buckets += [by.setdefault(k, {}) for k in c.places]
            elif c.actors:
                by = self._by_actor.setdefault(topic, {})
                buckets += [by.setdefault(k, {}) for k in c.actors]
            elif c.words:
                by = self._by_word.setdefault(topic, {})
                buckets += [by.setdefault(k, {}) for k in c.words]
            else:
                buckets.append(self._open.setdefault(topic, {}))
        shared = _Shared(c, {}, buckets)
        for bucket in buckets:
            bucket[sig] = shared
        self._shared[sig] = shared
        return shared

    def remove(self, sub_id: str) -> None:
        """Forget a subscription (no error when unknown)."""
        sig = self._signature_of.pop(sub_id, None)
        if sig is None:
            return
        shared = self._shared[sig]
        shared.subscriptions.pop(sub_id, None)
        if not shared.subscriptions:
            for bucket in shared.buckets:
                bucket.pop(sig, None)
            del self._shared[sig]

    def candidates(self, view: ArticleView) -> dict[Signature, _Shared]:
        """Filters that could match the article, without testing them."""
        found: dict[Signature, _Shared] = {}
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
            by_word = self._by_word.get(topic)
            if by_word:
                words = view.document.words
                for key in words if len(words) < len(by_word) else list(by_word):
                    if key in words and key in by_word:
                        found.update(by_word[key])
        return found

    def match(self, article: ClassifiedArticle | ArticleView) -> list[Match]:
        """Every indexed subscription the article matches."""
        view = article if isinstance(article, ArticleView) else ArticleView(article)
        out: list[Match] = []
        for shared in self.candidates(view).values():
            passing = test(shared.filter, view)
            if passing is not None:
                out.extend(Match(sub, passing) for sub in shared.subscriptions.values())
        return out


def match(
    article: ClassifiedArticle,
    candidates: Iterable[Subscription],
    default_threshold: Thresholds = _no_threshold,
) -> list[Match]:
    """Every candidate subscription the article matches (no index; for previews and small sets)."""
    view = ArticleView(article)
    out = []
    for sub in candidates:
        if sub.active:
            passing = test(CompiledFilter.of(sub, default_threshold), view)
            if passing is not None:
                out.append(Match(sub, passing))
    return out
