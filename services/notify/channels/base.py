"""The one small interface every channel implements."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Protocol

from schemas.models import Alert
from services.notify.subscriptions import StoredSubscription


@dataclass(frozen=True)
class Delivered:
    """A successful delivery: the receiver's status code."""

    status_code: int


class Channel(Protocol):
    """Delivers one alert; raises RetryableDeliveryError or PermanentDeliveryError on failure."""

    name: ClassVar[str]

    async def send(self, alert: Alert, target: StoredSubscription) -> Delivered:
        """Deliver ``alert`` to the subscription's endpoint."""
        ...
