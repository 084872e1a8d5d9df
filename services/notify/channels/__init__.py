"""Notification channels: one module per channel, registered by name."""

from __future__ import annotations

from services.notify.channels.base import Channel, ChannelContext, Delivered
from services.notify.channels.slack import SlackChannel
from services.notify.channels.stream import StreamChannel
from services.notify.channels.webhook import WebhookChannel

REGISTRY: dict[str, type[WebhookChannel] | type[SlackChannel] | type[StreamChannel]] = {
    WebhookChannel.name: WebhookChannel,
    SlackChannel.name: SlackChannel,
    StreamChannel.name: StreamChannel,
}


def build_channels(ctx: ChannelContext) -> dict[str, Channel]:
    """One instance of every registered channel, keyed by the subscription's ``channel.type``."""
    return {name: cls(ctx) for name, cls in REGISTRY.items()}


__all__ = ["REGISTRY", "Channel", "ChannelContext", "Delivered", "build_channels"]
