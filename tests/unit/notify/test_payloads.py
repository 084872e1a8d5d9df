"""Bodies sent to receivers: Standard Webhooks events and Slack Block Kit messages."""

from __future__ import annotations

from datetime import UTC, datetime

from schemas.models import Alert, AlertArticle, TopicTag
from services.notify.channels.http import classify_status, retry_after_seconds
from services.notify.exceptions import PermanentDeliveryError, RetryableDeliveryError
from services.notify.payloads import Outgoing, event, slack_message

NOW = datetime(2026, 11, 29, 10, 0, tzinfo=UTC)


def alert(n: int = 1, url: str | None = "https://news.example/a") -> Alert:
    return Alert(
        alert_id=f"al_{n}",
        subscription_id="sub_1",
        tenant="t",
        story_id=f"s{n}",
        article=AlertArticle(id=f"a{n}", title=f"Sides swap <90> prisoners #{n}", url=url, source="Wire"),
        topics=(
            TopicTag(topic="prisoner_exchange", score=0.91, evidence=("They swapped 90 prisoners.",)),
            TopicTag(topic="evacuation", score=0.6, evidence=("Buses left.",)),
        ),
        matched_topics=("prisoner_exchange",),
        received_at=NOW,
        created_at=NOW,
    )


def test_slack_single_alert_has_header_title_link_topics_evidence_and_button() -> None:
    msg = slack_message(Outgoing("al_1", "alert", "sub_1", (alert(),), NOW))
    assert msg["text"].startswith("Herald alert:")
    kinds = [b["type"] for b in msg["blocks"]]
    assert kinds[0] == "header" and kinds[-1] == "actions"
    section = msg["blocks"][1]["text"]["text"]
    assert "<https://news.example/a|Sides swap &lt;90&gt; prisoners #1>" in section
    assert "*prisoner_exchange* 0.91" in section and "evacuation 0.60" in section
    assert "> They swapped 90 prisoners." in msg["blocks"][2]["text"]["text"]
    assert msg["blocks"][-1]["elements"][0]["url"] == "https://news.example/a"


def test_slack_digest_stays_within_block_limits() -> None:
    alerts = tuple(alert(i) for i in range(40))
    msg = slack_message(Outgoing("dg_1", "digest", "sub_1", alerts, NOW))
    assert msg["blocks"][0]["text"]["text"] == "Herald digest: 40 alerts"
    assert len(msg["blocks"]) <= 50
    assert "more" in msg["blocks"][-1]["elements"][0]["text"]


def test_webhook_digest_event_lists_every_alert() -> None:
    body = event(Outgoing("dg_1", "digest", "sub_1", (alert(1), alert(2)), NOW))
    assert body["type"] == "alert.digest"
    assert body["data"]["count"] == 2
    assert [a["alert_id"] for a in body["data"]["alerts"]] == ["al_1", "al_2"]


def test_status_classification() -> None:
    classify_status(204, None)
    for status in (500, 503, 408, 429):
        try:
            classify_status(status, "7")
        except RetryableDeliveryError as exc:
            assert exc.retry_after_s == 7.0
        else:
            raise AssertionError(status)
    for status in (301, 400, 401, 404, 410):
        try:
            classify_status(status, None)
        except PermanentDeliveryError:
            pass
        else:
            raise AssertionError(status)
    assert retry_after_seconds("soon") is None
