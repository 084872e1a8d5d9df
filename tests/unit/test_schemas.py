"""The checked-in JSON Schemas match the pydantic models, and messages round-trip."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from schemas.export import EXPORTED, OUT_DIR, render
from schemas.models import Article, TopicTag


@pytest.mark.parametrize("name", sorted(EXPORTED))
def test_checked_in_schema_matches_model(name: str) -> None:
    path = OUT_DIR / f"{name}.schema.json"
    assert path.exists(), f"{path} missing: run 'make schemas'"
    assert path.read_text(encoding="utf-8") == render(EXPORTED[name]), f"{path} drifted: run 'make schemas'"


def test_article_round_trips_and_is_frozen() -> None:
    article = Article(id="a_1", story_id="a_1", title="t", body="b", received_at=datetime.now(UTC))
    again = Article.model_validate_json(article.model_dump_json())
    assert again == article
    with pytest.raises(ValidationError):
        article.title = "changed"  # type: ignore[misc]


def test_unknown_fields_and_versions_are_refused() -> None:
    good = TopicTag(topic="evacuation", score=0.9).model_dump()
    with pytest.raises(ValidationError):
        TopicTag.model_validate({**good, "surprise": 1})
    with pytest.raises(ValidationError):
        TopicTag.model_validate({**good, "schema_version": 2})
    with pytest.raises(ValidationError):
        TopicTag.model_validate({**good, "score": 1.5})
