"""The JSON bodies Herald sends to receivers (pure): Standard Webhooks events and Slack Block Kit."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from schemas.models import Alert

Kind = Literal["alert", "digest", "test"]

SLACK_MAX_BLOCKS = 50
SLACK_TEXT_MAX = 3_000
SLACK_HEADER_MAX = 150
SLACK_DIGEST_ITEMS = 15


@dataclass(frozen=True)
class Outgoing:
    """One message to send: a single alert, a digest of several, or a test event.

    ``event_id`` is the ``webhook-id``: the alert id, or the digest id, stable across retries.
    """

    event_id: str
    kind: Kind
    subscription_id: str
    alerts: tuple[Alert, ...]
    created_at: datetime

    def __repr__(self) -> str:
        return f"Outgoing({self.kind} {self.event_id}, {len(self.alerts)} alert(s))"


def _alert_data(alert: Alert) -> dict[str, Any]:
    return {
        "alert_id": alert.alert_id,
        "subscription_id": alert.subscription_id,
        "story_id": alert.story_id,
        "article": alert.article.model_dump(mode="json", exclude={"schema_version"}),
        "topics": [t.model_dump(mode="json", exclude={"schema_version"}) for t in alert.topics],
        "matched_topics": list(alert.matched_topics),
    }


def event(out: Outgoing) -> dict[str, Any]:
    """The Standard Webhooks event of a message, as documented in DESIGN.md and docs/notify.md."""
    if out.kind == "alert":
        return {
            "type": "alert.created",
            "timestamp": out.alerts[0].created_at.isoformat(),
            "data": _alert_data(out.alerts[0]),
        }
    if out.kind == "digest":
        return {
            "type": "alert.digest",
            "timestamp": out.created_at.isoformat(),
            "data": {
                "digest_id": out.event_id,
                "subscription_id": out.subscription_id,
                "count": len(out.alerts),
                "alerts": [_alert_data(a) for a in out.alerts],
            },
        }
    return {
        "type": "test",
        "timestamp": out.created_at.isoformat(),
        "data": {"event_id": out.event_id, "subscription_id": out.subscription_id, "message": "Herald test event"},
    }


def dumps(payload: dict[str, Any]) -> bytes:
    """Compact UTF-8 JSON."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


def webhook_body(alert: Alert, event_type: str = "alert.created") -> bytes:
    """The Standard Webhooks event body for one alert."""
    payload = event(Outgoing(alert.alert_id, "alert", alert.subscription_id, (alert,), alert.created_at))
    payload["type"] = event_type
    return dumps(payload)


def _cut(value: str, limit: int) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"


def _escape(value: str) -> str:
    # Slack mrkdwn control characters; escaping keeps article text from forming links or mentions.
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _topics_line(alert: Alert) -> str:
    matched = set(alert.matched_topics)
    parts = [f"*{t.topic}* {t.score:.2f}" if t.topic in matched else f"{t.topic} {t.score:.2f}" for t in alert.topics]
    return " · ".join(parts) or "—"


def _alert_blocks(alert: Alert, with_evidence: bool) -> list[dict[str, Any]]:
    art = alert.article
    title = _escape(art.title)
    heading = f"<{art.url}|{_cut(title, 500)}>" if art.url else _cut(title, 500)
    blocks: list[dict[str, Any]] = [
        {
            "type": "section",
            "text": {"type": "mrkdwn", "text": _cut(f"*{heading}*\n{_topics_line(alert)}", SLACK_TEXT_MAX)},
        }
    ]
    if with_evidence:
        quotes = [
            f"> {_escape(_cut(e, 300))}"
            for t in alert.topics
            if t.topic in alert.matched_topics
            for e in t.evidence[:2]
        ]
        if quotes:
            blocks.append(
                {"type": "section", "text": {"type": "mrkdwn", "text": _cut("\n".join(quotes), SLACK_TEXT_MAX)}}
            )
    context = [x for x in (art.source, art.published_at.isoformat() if art.published_at else None) if x]
    if context:
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": _escape(" · ".join(context))}]})
    return blocks


def slack_message(out: Outgoing) -> dict[str, Any]:
    """A Block Kit message: header, title with link, topics and scores, evidence, source, button."""
    if out.kind == "test":
        text = "Herald test event: this channel is connected."
        return {"text": text, "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": text}}]}
    if out.kind == "alert":
        alert = out.alerts[0]
        blocks: list[dict[str, Any]] = [
            {
                "type": "header",
                "text": {
                    "type": "plain_text",
                    "text": _cut("Herald: " + ", ".join(alert.matched_topics), SLACK_HEADER_MAX),
                },
            },
            *_alert_blocks(alert, with_evidence=True),
        ]
        if alert.article.url:
            blocks.append(
                {
                    "type": "actions",
                    "elements": [
                        {
                            "type": "button",
                            "text": {"type": "plain_text", "text": "Open article"},
                            "url": alert.article.url,
                        }
                    ],
                }
            )
        return {"text": _cut(f"Herald alert: {alert.article.title}", SLACK_TEXT_MAX), "blocks": blocks}
    shown = out.alerts[:SLACK_DIGEST_ITEMS]
    blocks = [{"type": "header", "text": {"type": "plain_text", "text": f"Herald digest: {len(out.alerts)} alerts"}}]
    for alert in shown:
        blocks.append({"type": "divider"})
        blocks.extend(_alert_blocks(alert, with_evidence=False))
    if len(out.alerts) > len(shown):
        more = f"…and {len(out.alerts) - len(shown)} more"
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": more}]})
    return {"text": f"Herald digest: {len(out.alerts)} alerts", "blocks": blocks[:SLACK_MAX_BLOCKS]}
