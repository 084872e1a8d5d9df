"""Server-sent events from a subscription's Redis stream, resumable with ``Last-Event-ID``."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import redis.asyncio as aioredis

from services.notify.subscriptions import text

KEEPALIVE_S = 15.0
BLOCK_MS = 1_000


def frame(event_id: str, event_type: str, data: str) -> str:
    """One SSE frame; ``data`` is single-line JSON."""
    return f"id: {event_id}\nevent: {event_type}\ndata: {data}\n\n"


async def start_id(redis: aioredis.Redis, key: str, last_event_id: str | None) -> str:
    """Where to start reading: after ``last_event_id`` when given, else after the newest event."""
    if last_event_id:
        return last_event_id
    newest: Any = await redis.xrevrange(key, count=1)
    return text(newest[0][0]) if newest else "0-0"


async def events(
    redis: aioredis.Redis, key: str, after: str, disconnected: Callable[[], Awaitable[bool]]
) -> AsyncIterator[str]:
    """SSE frames of new stream entries until the client goes away; comments keep proxies awake."""
    yield ": connected\n\n"
    last_beat = time.monotonic()
    while not await disconnected():
        found: Any = await redis.xread({key: after}, count=100, block=BLOCK_MS)
        for _stream, entries in found or []:
            for entry_id, fields in entries:
                after = text(entry_id)
                data = {text(k): text(v) for k, v in fields.items()}
                yield frame(after, data.get("type", "alert.created"), data.get("data", "{}"))
                last_beat = time.monotonic()
        if time.monotonic() - last_beat > KEEPALIVE_S:
            yield ": keepalive\n\n"
            last_beat = time.monotonic()
