"""The worker's in-memory copy of every subscription, kept current through the store's change log.

Matching reads only memory; once per batch the worker asks Redis whether the change counter
moved, and if it did, re-reads just the subscriptions changed since.
"""

from __future__ import annotations

import logging

from services.notify.exceptions import QuerySyntaxError
from services.notify.matcher import SubscriptionIndex, Thresholds
from services.notify.subscriptions import SubscriptionStore

log = logging.getLogger(__name__)


class SubscriptionCache:
    """A SubscriptionIndex mirrored from Redis."""

    def __init__(self, store: SubscriptionStore, thresholds: Thresholds | None = None) -> None:
        self._store = store
        self.index = SubscriptionIndex(thresholds) if thresholds else SubscriptionIndex()
        self.version = 0

    async def refresh(self) -> int:
        """Apply changes since the last refresh; how many subscriptions changed."""
        version, changed = await self._store.changes_since(self.version)
        for sub_id, stored in changed:
            if stored is None:
                self.index.remove(sub_id)
                continue
            try:
                self.index.put(stored.subscription)
            except QuerySyntaxError as exc:
                # The API validates queries, so this only happens with hand-edited data.
                log.warning("subscription skipped: bad query", extra={"subscription_id": sub_id, "error": str(exc)})
                self.index.remove(sub_id)
        self.version = version
        return len(changed)
