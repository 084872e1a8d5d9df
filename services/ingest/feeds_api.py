"""Routes of ``/v1/feeds``: add, list, inspect, delete and poll feeds."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Response

from schemas.api import Feed, FeedIn
from services.ingest.poller import FeedPoller, LeaseBusy
from services.ingest.store import FeedStore, to_api
from services.runtime.settings import Settings
from services.runtime.ssrf import UnsafeURL, guard_url


def feeds_router(settings: Settings, store: FeedStore, poller: FeedPoller) -> APIRouter:
    """The feed management routes, bound to one store and poller."""
    router = APIRouter(prefix="/v1/feeds", tags=["feeds"])

    @router.post("", status_code=201, response_model=Feed, responses={200: {"model": Feed}})
    async def add_feed(item: FeedIn, response: Response) -> Feed:
        """Add a feed (201), or update the feed with the same URL (200). The URL must be public."""
        try:
            await guard_url(str(item.url), settings.allow_private_urls)
        except UnsafeURL as exc:
            raise HTTPException(
                422, [{"type": "unsafe_url", "loc": ["body", "url"], "msg": str(exc), "input": str(item.url)}]
            ) from exc
        config, created = await store.put(item)
        if not created:
            response.status_code = 200
        response.headers["Location"] = f"/v1/feeds/{config.id}"
        return to_api(config, await store.state(config.id))

    @router.get("", response_model=list[Feed])
    async def list_feeds() -> list[Feed]:
        """Every feed with its health."""
        configs = await store.configs()
        states = await store.states([c.id for c in configs])
        return [to_api(c, states[c.id]) for c in configs]

    @router.get("/{feed_id}", response_model=Feed)
    async def get_feed(feed_id: str) -> Feed:
        """One feed with its health."""
        config = await store.config(feed_id)
        if config is None:
            raise HTTPException(404, f"no feed {feed_id}")
        return to_api(config, await store.state(feed_id))

    @router.delete("/{feed_id}", status_code=204)
    async def delete_feed(feed_id: str) -> Response:
        """Stop polling a feed and forget its state (articles already published stay)."""
        if not await store.delete(feed_id):
            raise HTTPException(404, f"no feed {feed_id}")
        return Response(status_code=204)

    @router.post("/{feed_id}/poll", response_model=Feed)
    async def poll_feed(feed_id: str) -> Feed:
        """Poll the feed now (whatever its schedule) and answer with its health afterwards."""
        try:
            feed = await poller.poll_now(feed_id)
        except LeaseBusy as exc:
            raise HTTPException(409, str(exc)) from exc
        if feed is None:
            raise HTTPException(404, f"no feed {feed_id}")
        return feed

    return router
