"""Pydantic models of the subscription (notify) HTTP API bodies."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AnyHttpUrl, AwareDatetime, BaseModel, ConfigDict, Field

from schemas.api import ApiModel
from schemas.models import TopicId


class WebhookChannel(ApiModel):
    """Deliver alerts as Standard Webhooks POSTs to ``url``."""

    type: Literal["webhook"]
    url: AnyHttpUrl


Channel = Annotated[WebhookChannel, Field(discriminator="type")]


class SubscriptionIn(ApiModel):
    """Body of ``POST /v1/subscriptions``."""

    name: str = Field(min_length=1, max_length=200)
    topics: list[TopicId] = Field(min_length=1, max_length=50)
    match: Literal["any", "all"] = "any"
    min_score: float | None = Field(default=None, ge=0.0, le=1.0)
    channel: Channel
    active: bool = True


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
    channel: Channel
    active: bool
    created_at: AwareDatetime


class SubscriptionCreated(Subscription):
    """Answer to a create: the subscription plus its signing secret, shown this once."""

    secret: str


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
