"""Notification channels: one module per channel, registered by name."""
