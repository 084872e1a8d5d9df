"""Pydantic models of the subscription (notify) HTTP API bodies."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AnyHttpUrl, AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from schemas.api import ApiModel
from schemas.models import TopicId

ShortText = Annotated[str, Field(min_length=1, max_length=200)]


class WebhookChannel(ApiModel):
    """Deliver alerts as Standard Webhooks POSTs to ``url``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    type: Literal["webhook"]
    url: AnyHttpUrl


class SlackChannel(ApiModel):
    """Deliver alerts as Block Kit messages to a Slack incoming-webhook ``url``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    type: Literal["slack"]
    url: AnyHttpUrl


class StreamChannel(ApiModel):
    """Deliver alerts as server-sent events on ``GET /v1/subscriptions/{id}/stream``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    type: Literal["stream"]


Channel = Annotated[WebhookChannel | SlackChannel | StreamChannel, Field(discriminator="type")]


class Grouping(ApiModel):
    """Digest settings, as Alertmanager groups: wait ``group_wait_seconds`` after the first alert,
    then send at most one digest per ``group_interval_seconds``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    group_wait_seconds: float = Field(default=30.0, ge=0, le=86_400)
    group_interval_seconds: float = Field(default=300.0, ge=0, le=7 * 86_400)


class SubscriptionFields(ApiModel):
    """Everything a subscriber chooses (shared by create and the stored form)."""

    name: str = Field(min_length=1, max_length=200)
    topics: list[TopicId] = Field(min_length=1, max_length=50)
    match: Literal["any", "all"] = "any"
    min_score: float | None = Field(default=None, ge=0.0, le=1.0)
    query: str | None = Field(
        default=None,
        min_length=1,
        max_length=1_000,
        description='Keyword query over title and body: words, "quoted phrases", AND / OR / NOT, parentheses',
    )
    places: list[ShortText] = Field(default_factory=list, max_length=100, description="Entity ids or names")
    actors: list[ShortText] = Field(default_factory=list, max_length=100, description="Entity ids or names")
    sources: list[ShortText] = Field(default_factory=list, max_length=100, description="Source names or domains")
    languages: list[Annotated[str, Field(pattern=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")]] = Field(
        default_factory=list, max_length=50
    )
    max_per_hour: int | None = Field(default=None, ge=1, le=100_000, description="Throttle: most messages per hour")
    grouping: Grouping | None = None
    channel: Channel
    active: bool = True


class SubscriptionIn(SubscriptionFields):
    """Body of ``POST /v1/subscriptions``."""


class SubscriptionPatch(ApiModel):
    """Body of ``PATCH /v1/subscriptions/{id}``: only the fields given change; ``null`` clears optional ones."""

    name: str | None = Field(default=None, min_length=1, max_length=200)
    topics: list[TopicId] | None = Field(default=None, min_length=1, max_length=50)
    match: Literal["any", "all"] | None = None
    min_score: float | None = Field(default=None, ge=0.0, le=1.0)
    query: str | None = Field(default=None, min_length=1, max_length=1_000)
    places: list[ShortText] | None = Field(default=None, max_length=100)
    actors: list[ShortText] | None = Field(default=None, max_length=100)
    sources: list[ShortText] | None = Field(default=None, max_length=100)
    languages: list[Annotated[str, Field(pattern=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")]] | None = Field(
        default=None, max_length=50
    )
    max_per_hour: int | None = Field(default=None, ge=1, le=100_000)
    grouping: Grouping | None = None
    channel: Channel | None = None
    active: bool | None = None

    @model_validator(mode="after")
    def _not_null_where_required(self) -> SubscriptionPatch:
        for name in ("name", "topics", "match", "channel", "active", "places", "actors", "sources", "languages"):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"{name} may not be null")
        return self


class Subscription(BaseModel):
    """A stored subscription as the API returns it (never with its secret)."""

    model_config = ConfigDict(frozen=True)

    schema_version: Literal[1] = 1
    id: str
    tenant: str
    name: str
    topics: tuple[TopicId, ...]
    match: Literal["any", "all"]
    min_score: float | None
    query: str | None = None
    places: tuple[str, ...] = ()
    actors: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    max_per_hour: int | None = None
    grouping: Grouping | None = None
    channel: Channel
    active: bool
    paused_reason: str | None = Field(default=None, description="Why Herald paused it (e.g. the endpoint kept failing)")
    created_at: AwareDatetime
    updated_at: AwareDatetime | None = None


class SubscriptionCreated(Subscription):
    """Answer to a create: the subscription plus its signing secret, shown this once."""

    secret: str


class SecretRotated(BaseModel):
    """Answer to ``POST /v1/subscriptions/{id}/rotate-secret``: the new secret, shown this once."""

    model_config = ConfigDict(frozen=True)

    secret: str
    previous_valid_until: AwareDatetime | None = Field(
        description="Until then deliveries carry signatures with both the old and the new secret"
    )


Outcome = Literal["delivered", "retry", "failed", "skipped"]


class DeliveryRecord(BaseModel):
    """One delivery attempt of one alert, as ``GET /v1/subscriptions/{id}/deliveries`` lists it."""

    model_config = ConfigDict(frozen=True)

    alert_id: str
    attempt: int
    outcome: Outcome
    status_code: int | None = None
    error: str | None = None
    latency_ms: float
    at: AwareDatetime
    next_retry_at: AwareDatetime | None = None
    kind: Literal["alert", "digest", "test"] = "alert"
    alert_ids: tuple[str, ...] = Field(default=(), description="For a digest: the alerts it carried")


class TestResult(BaseModel):
    """Answer to ``POST /v1/subscriptions/{id}/test``: what the endpoint did with a test event."""

    model_config = ConfigDict(frozen=True)

    delivered: bool
    event_id: str
    status_code: int | None = None
    error: str | None = None
    latency_ms: float


class PreviewHit(BaseModel):
    """One recent article the subscription would have matched."""

    model_config = ConfigDict(frozen=True)

    article_id: str
    story_id: str
    title: str
    url: str | None
    source: str | None
    matched_topics: tuple[str, ...]
    classified_at: AwareDatetime


class Preview(BaseModel):
    """Answer to ``POST /v1/subscriptions/{id}/preview``: a dry run over recent articles."""

    model_config = ConfigDict(frozen=True)

    examined: int
    matched: tuple[PreviewHit, ...]


class ApiKeyCreated(BaseModel):
    """A new API key, shown this once."""

    model_config = ConfigDict(frozen=True)

    tenant: str
    api_key: str
