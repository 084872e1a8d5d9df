"""Pydantic models of the ingest HTTP API bodies (requests and responses)."""

from __future__ import annotations

from datetime import datetime

from pydantic import AnyHttpUrl, AwareDatetime, BaseModel, ConfigDict, Field, model_validator


class ApiModel(BaseModel):
    """Base of request bodies: unknown fields are an error, so typos are not silently ignored."""

    model_config = ConfigDict(extra="forbid")


class ArticleIn(ApiModel):
    """One article as posted to ``POST /v1/articles``."""

    title: str = Field(min_length=1, max_length=1_000)
    body: str | None = Field(default=None, max_length=200_000)
    html: str | None = Field(default=None, max_length=1_000_000)
    url: AnyHttpUrl | None = None
    source: str | None = Field(default=None, max_length=256)
    published_at: AwareDatetime | datetime | None = None
    language: str | None = Field(default=None, max_length=16)
    metadata: dict[str, str] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _needs_text(self) -> ArticleIn:
        if not (self.body and self.body.strip()) and not (self.html and self.html.strip()):
            raise ValueError("body or html is required")
        return self


class ArticlesAccepted(BaseModel):
    """Answer to ``POST /v1/articles``: the ids of the accepted articles, in input order.

    Every id is in ``articles.raw``: either published now or, for those also listed in
    ``duplicates``, published earlier (an exact duplicate is not published again).
    """

    ids: list[str]
    duplicates: list[str] = Field(default_factory=list, description="Ids among `ids` that were already known")
    story_ids: list[str] = Field(
        default_factory=list, description="Story id of each article, in input order (same for near-duplicates)"
    )


class FeedIn(ApiModel):
    """A feed to poll, as posted to ``POST /v1/feeds`` (or listed in the feeds file)."""

    url: AnyHttpUrl
    name: str | None = Field(default=None, max_length=256, description="Shown in the API; default: the feed's title")
    source: str | None = Field(
        default=None, max_length=256, description="`source` of its articles; default: the feed's title"
    )
    interval_seconds: int | None = Field(
        default=None, ge=1, le=86_400, description="Polling interval; default HERALD_INGEST_FEED_DEFAULT_INTERVAL"
    )
    language: str | None = Field(default=None, max_length=16, description="Language of its articles, if known")


class FeedHealth(BaseModel):
    """How polling a feed has gone so far."""

    last_polled_at: AwareDatetime | None = None
    last_success_at: AwareDatetime | None = None
    last_error: str | None = None
    last_error_at: AwareDatetime | None = None
    last_outcome: str | None = Field(default=None, description="ok, not_modified or the kind of error")
    consecutive_failures: int = 0
    items_seen: int = Field(default=0, description="Entries found in fetched documents, all polls together")
    items_published: int = Field(default=0, description="New articles published from this feed")
    next_poll_at: AwareDatetime | None = None


class FeedConfig(BaseModel):
    """What an operator configured for a feed (as ingest stores it)."""

    model_config = ConfigDict(frozen=True)

    id: str
    url: str
    name: str | None = None
    source: str | None = None
    interval_seconds: int
    language: str | None = None
    created_at: AwareDatetime


class Feed(FeedConfig):
    """A configured feed with its health (``GET /v1/feeds``)."""

    health: FeedHealth = Field(default_factory=FeedHealth)
