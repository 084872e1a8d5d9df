"""Matching decisions: any/all, min_score, paused subscriptions, stable alert ids."""

from __future__ import annotations

from datetime import UTC, datetime

from schemas.models import Article, ClassifiedArticle, TopicTag
from schemas.subscriptions import Subscription, WebhookChannel
from services.notify.matcher import alert_id, match

NOW = datetime.now(UTC)


def _sub(
    sub_id: str, topics: list[str], mode: str = "any", min_score: float | None = None, active: bool = True
) -> Subscription:
    return Subscription(
        id=sub_id,
        tenant="t",
        name=sub_id,
        topics=tuple(topics),
        match=mode,
        min_score=min_score,  # type: ignore[arg-type]
        channel=WebhookChannel(type="webhook", url="https://example.com/h"),
        active=active,
        created_at=NOW,  # type: ignore[arg-type]
    )


def _article(**scores: float) -> ClassifiedArticle:
    article = Article(id="a_1", story_id="s_1", title="t", body="b", received_at=NOW)
    tags = tuple(TopicTag(topic=t, score=s, evidence=("e",)) for t, s in scores.items())
    return ClassifiedArticle(article=article, topics=tags, classified_at=NOW)


def test_any_and_all() -> None:
    article = _article(evacuation=0.8, airstrike_shelling=0.7)
    subs = [
        _sub("any", ["evacuation", "prisoner_exchange"]),
        _sub("all-ok", ["evacuation", "airstrike_shelling"], "all"),
        _sub("all-missing", ["evacuation", "prisoner_exchange"], "all"),
        _sub("none", ["humanitarian_aid"]),
    ]
    found = {m.subscription.id: m.matched_topics for m in match(article, subs)}
    assert found == {"any": ("evacuation",), "all-ok": ("evacuation", "airstrike_shelling")}


def test_min_score_and_paused() -> None:
    article = _article(evacuation=0.6)
    subs = [
        _sub("strict", ["evacuation"], min_score=0.7),
        _sub("loose", ["evacuation"], min_score=0.5),
        _sub("paused", ["evacuation"], active=False),
    ]
    assert [m.subscription.id for m in match(article, subs)] == ["loose"]


def test_default_threshold_is_per_topic() -> None:
    article = _article(evacuation=0.6)
    subs = [_sub("s", ["evacuation"])]
    assert match(article, subs, lambda _t: 0.7) == []
    assert len(match(article, subs, lambda _t: 0.5)) == 1


def test_alert_id_is_stable_per_subscription_and_story() -> None:
    assert alert_id("sub_1", "s_1") == alert_id("sub_1", "s_1")
    assert alert_id("sub_1", "s_1") != alert_id("sub_2", "s_1")
    assert alert_id("sub_1", "s_1") != alert_id("sub_1", "s_2")
