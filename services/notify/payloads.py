"""The JSON bodies Herald sends to receivers (pure)."""

from __future__ import annotations

import json
from typing import Any

from schemas.models import Alert


def webhook_body(alert: Alert, event_type: str = "alert.created") -> bytes:
    """The Standard Webhooks event body for one alert, as documented in DESIGN.md."""
    payload: dict[str, Any] = {
        "type": event_type,
        "timestamp": alert.created_at.isoformat(),
        "data": {
            "alert_id": alert.alert_id,
            "subscription_id": alert.subscription_id,
            "story_id": alert.story_id,
            "article": alert.article.model_dump(mode="json", exclude={"schema_version"}),
            "topics": [t.model_dump(mode="json", exclude={"schema_version"}) for t in alert.topics],
            "matched_topics": list(alert.matched_topics),
        },
    }
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
