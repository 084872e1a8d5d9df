"""Slack channel: Block Kit messages to an incoming-webhook URL; 429 Retry-After honoured."""

from __future__ import annotations

from typing import ClassVar

from services.notify.channels.base import ChannelContext, Delivered
from services.notify.channels.http import classify_status, guarded_post
from services.notify.exceptions import PermanentDeliveryError, RetryableDeliveryError
from services.notify.payloads import Outgoing, dumps, slack_message
from services.notify.subscriptions import StoredSubscription

# Slack's incoming webhooks answer these with 4xx bodies; all mean the URL will not work again.
_FATAL_BODIES = ("invalid_token", "no_service", "channel_not_found", "channel_is_archived", "no_active_hooks")


class SlackChannel:
    """POST ``{"text", "blocks"}``; Slack's own error words are kept in the delivery record."""

    name: ClassVar[str] = "slack"

    def __init__(self, ctx: ChannelContext) -> None:
        self._ctx = ctx

    async def send(self, out: Outgoing, target: StoredSubscription) -> Delivered:
        """Deliver one message to Slack."""
        url = str(getattr(target.subscription.channel, "url"))  # noqa: B009 - slack channels have one
        ctx = self._ctx
        response = await guarded_post(
            ctx.http,
            url,
            dumps(slack_message(out)),
            {"content-type": "application/json; charset=utf-8", "user-agent": "Herald-Slack/1"},
            allow_private=ctx.allow_private,
            timeout_s=ctx.timeout_s,
            max_bytes=ctx.response_max_bytes,
        )
        said = response.body.decode("utf-8", errors="replace").strip()[:200]
        try:
            classify_status(response.status_code, response.retry_after)
        except RetryableDeliveryError as exc:
            raise RetryableDeliveryError(f"{exc} {said}".strip(), exc.status_code, exc.retry_after_s) from None
        except PermanentDeliveryError as exc:
            fatal = " (webhook revoked or channel gone)" if said in _FATAL_BODIES else ""
            raise PermanentDeliveryError(f"{exc} {said}{fatal}".strip(), exc.status_code) from None
        return Delivered(response.status_code)
