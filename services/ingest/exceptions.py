"""Errors of the ingest service.

IngestError
 ├── EmptyArticle        an article has no text left after cleaning (client error, 422)
 ├── FeedError           one poll of a feed failed; ``outcome`` is the metric label
 └── (BrokerUnavailable and Redis errors come from services.runtime and redis)
"""

from __future__ import annotations


class IngestError(Exception):
    """Root of every error raised by the ingest service."""


class EmptyArticle(IngestError, ValueError):
    """An article has no title or no text left once its markup is removed."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class FeedError(IngestError):
    """A feed could not be fetched or parsed; ``outcome`` names the kind (a low-cardinality label)."""

    def __init__(self, outcome: str, message: str, retry_after_s: float | None = None) -> None:
        super().__init__(message)
        self.outcome = outcome
        self.retry_after_s = retry_after_s
