"""Pydantic models of every Kafka message; the single source of truth for their shape.

Kafka values are the JSON of these models. Every message is frozen and carries a
``schema_version`` so consumers can refuse (dead-letter) what they do not understand.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

SCHEMA_VERSION: Literal[1] = 1

TopicId = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{1,63}$", description="Taxonomy topic id")]


def utcnow() -> datetime:
    """Current time, timezone-aware UTC."""
    return datetime.now(UTC)


class Message(BaseModel):
    """Base of every message: frozen, versioned, strict about unknown fields."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    schema_version: Literal[1] = SCHEMA_VERSION


class Article(Message):
    """A normalised article as published by ingest to ``articles.raw``."""

    id: str = Field(min_length=1, max_length=128, description="Stable id (hash of canonical URL or content)")
    story_id: str = Field(
        min_length=1, max_length=128, description="Same for near-duplicates of one story; notify alerts once per story"
    )
    title: str = Field(min_length=1, max_length=1_000)
    body: str = Field(max_length=200_000)
    url: str | None = Field(default=None, max_length=4_096)
    source: str | None = Field(default=None, max_length=256)
    published_at: AwareDatetime | None = None
    language: str | None = Field(default=None, max_length=16)
    metadata: dict[str, str] = Field(default_factory=dict)
    received_at: AwareDatetime = Field(description="When ingest accepted it; end-to-end latency starts here")


class TopicTag(Message):
    """One topic tagged on an article, with a 0..1 score and the text that triggered it."""

    topic: TopicId
    score: float = Field(ge=0.0, le=1.0)
    evidence: tuple[str, ...] = Field(default=(), description="Sentences or phrases behind the tag")


class Entity(Message):
    """A place or actor mentioned in an article."""

    kind: Literal["place", "actor"]
    id: str = Field(min_length=1, max_length=128, description="Stable id, e.g. gazetteer key")
    name: str = Field(min_length=1, max_length=256)
    lat: float | None = None
    lon: float | None = None


class ClassifiedArticle(Message):
    """An article with its topic tags and entities, published by classify to ``articles.classified``."""

    article: Article
    topics: tuple[TopicTag, ...] = ()
    entities: tuple[Entity, ...] = ()
    classified_at: AwareDatetime


class AlertArticle(Message):
    """The part of an article that travels in an alert."""

    id: str
    title: str
    url: str | None = None
    source: str | None = None
    published_at: AwareDatetime | None = None


class Alert(Message):
    """One alert for one (subscription, story), published by notify-match to ``alerts``."""

    alert_id: str = Field(description="Stable: derived from subscription and story, so retries and replays reuse it")
    subscription_id: str
    tenant: str
    story_id: str
    article: AlertArticle
    topics: tuple[TopicTag, ...]
    matched_topics: tuple[TopicId, ...]
    received_at: AwareDatetime = Field(description="When ingest accepted the article")
    created_at: AwareDatetime


class DeadLetter(Message):
    """A message that could not be processed, with the reason; value of ``*.dlq`` topics."""

    original_topic: str
    original_key: str | None = None
    original_value: str = Field(description="The original bytes, decoded as UTF-8 with replacement")
    error: str
    attempts: int = Field(ge=0, default=1)
    service: str
    failed_at: AwareDatetime = Field(default_factory=utcnow)
