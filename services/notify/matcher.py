"""Decide which subscriptions an article matches, and why (pure: values in, decisions out)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from schemas.models import ClassifiedArticle, TopicTag
from schemas.subscriptions import Subscription


@dataclass(frozen=True)
class Match:
    """A subscription that fires for an article, with the topics that made it fire."""

    subscription: Subscription
    matched_topics: tuple[str, ...]


def alert_id(subscription_id: str, story_id: str) -> str:
    """Stable alert id for one (subscription, story): replays and retries reuse it."""
    return "al_" + hashlib.sha256(f"{subscription_id}\x1f{story_id}".encode()).hexdigest()[:32]


def match_one(
    subscription: Subscription, tags: dict[str, TopicTag], default_threshold: Callable[[str], float]
) -> Match | None:
    """The match of one subscription against an article's tags, or None."""
    if not subscription.active:
        return None
    passing = tuple(
        topic
        for topic in subscription.topics
        if topic in tags
        and tags[topic].score
        >= (subscription.min_score if subscription.min_score is not None else default_threshold(topic))
    )
    if not passing:
        return None
    if subscription.match == "all" and len(passing) != len(subscription.topics):
        return None
    return Match(subscription, passing)


def match(
    article: ClassifiedArticle,
    candidates: Iterable[Subscription],
    default_threshold: Callable[[str], float] = lambda _topic: 0.0,
) -> list[Match]:
    """Every candidate subscription the article matches."""
    tags = {tag.topic: tag for tag in article.topics}
    found = (match_one(sub, tags, default_threshold) for sub in candidates)
    return [m for m in found if m is not None]
