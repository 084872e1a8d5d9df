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
    """Answer to ``POST /v1/articles``: the ids of the accepted articles, in input order."""

    ids: list[str]
