"""Write the JSON Schema of every message and API body to ``schemas/json/`` (``make schemas``)."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel

from schemas import api, models, subscriptions

EXPORTED: dict[str, type[BaseModel]] = {
    "article": models.Article,
    "topic_tag": models.TopicTag,
    "entity": models.Entity,
    "classified_article": models.ClassifiedArticle,
    "alert": models.Alert,
    "dead_letter": models.DeadLetter,
    "article_in": api.ArticleIn,
    "articles_accepted": api.ArticlesAccepted,
    "feed_in": api.FeedIn,
    "feed": api.Feed,
    "subscription_in": subscriptions.SubscriptionIn,
    "subscription": subscriptions.Subscription,
    "delivery_record": subscriptions.DeliveryRecord,
    "subscription_patch": subscriptions.SubscriptionPatch,
    "secret_rotated": subscriptions.SecretRotated,
    "test_result": subscriptions.TestResult,
    "preview": subscriptions.Preview,
}

OUT_DIR = Path(__file__).parent / "json"


def render(model: type[BaseModel]) -> str:
    """The schema as stable, pretty JSON text."""
    return json.dumps(model.model_json_schema(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def main() -> None:
    """Rewrite every schema file."""
    OUT_DIR.mkdir(exist_ok=True)
    for name, model in EXPORTED.items():
        (OUT_DIR / f"{name}.schema.json").write_text(render(model), encoding="utf-8")
    print(f"wrote {len(EXPORTED)} schemas to {OUT_DIR}")


if __name__ == "__main__":
    main()
