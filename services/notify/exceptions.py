"""Errors of the notify service.

NotifyError
├── DeliveryError
│   ├── RetryableDeliveryError   (timeouts, connection errors, 5xx, 408, 429)
│   └── PermanentDeliveryError   (other 4xx, refused URL, bad configuration)
├── QuerySyntaxError             (a keyword query that cannot be parsed)
└── TenantLimitReached           (a per-tenant quota is used up)
"""

from __future__ import annotations


class NotifyError(Exception):
    """Root of every notify error."""


class DeliveryError(NotifyError):
    """An alert could not be delivered."""

    def __init__(self, message: str, status_code: int | None = None, retry_after_s: float | None = None) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.retry_after_s = retry_after_s


class RetryableDeliveryError(DeliveryError):
    """The delivery failed in a way that may succeed later; schedule a retry."""


class PermanentDeliveryError(DeliveryError):
    """The delivery can never succeed as configured; do not retry."""


class QuerySyntaxError(NotifyError):
    """A keyword query could not be parsed; the message says where."""


class TenantLimitReached(NotifyError):
    """The tenant has used up a quota (e.g. number of subscriptions)."""
