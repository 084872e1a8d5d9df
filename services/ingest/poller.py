"""The feed poller: an asyncio task inside each ingest process.

Every ``ingest_feed_tick_seconds`` it reads the feeds and their states from Redis and polls
those that are due. With several ingest replicas, a feed is polled by whichever replica
first takes its Redis lease (SET NX with a TTL longer than a poll can last); the next
poll time lives in Redis, so replicas share one schedule. A failed poll is retried after
an exponential backoff; its ETag/Last-Modified are kept only when its articles were
accepted by the broker, so a failed publish is fetched again in full next time.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import httpx

from schemas.api import ArticleIn, Feed, FeedConfig
from schemas.models import Article
from services.ingest.exceptions import EmptyArticle, FeedError
from services.ingest.feeds import FeedDefaults, Guard, fetch_feed, parse_feed
from services.ingest.metrics import IngestMetrics
from services.ingest.normalize import normalize
from services.ingest.pipeline import IngestPipeline, StoreUnavailable
from services.ingest.store import FeedState, FeedStore, to_api
from services.runtime.kafka import BrokerUnavailable
from services.runtime.settings import Settings
from services.runtime.ssrf import guard_url

log = logging.getLogger(__name__)


class LeaseBusy(RuntimeError):
    """Another replica (or task) is polling this feed right now."""


def backoff_seconds(
    interval_s: float, failures: int, max_backoff_s: float, retry_after_s: float | None = None
) -> float:
    """Delay before the next poll after ``failures`` consecutive failures (0: the normal interval)."""
    if failures <= 0:
        return interval_s
    delay: float = min(max(max_backoff_s, interval_s), interval_s * 2.0 ** min(failures, 16))
    return max(delay, retry_after_s or 0.0)


class FeedPoller:
    """Polls due feeds with bounded concurrency; ``poll_now`` polls one feed on demand."""

    def __init__(
        self,
        settings: Settings,
        store: FeedStore,
        pipeline: IngestPipeline,
        metrics: IngestMetrics,
        guard: Guard | None = None,
    ) -> None:
        self._settings = settings
        self._store = store
        self._pipeline = pipeline
        self._metrics = metrics
        allow_private = settings.allow_private_urls

        async def default_guard(url: str) -> None:
            await guard_url(url, allow_private)

        self._guard = guard or default_guard
        self._client: httpx.AsyncClient | None = None
        self._task: asyncio.Task[None] | None = None
        self._inflight: dict[str, asyncio.Task[None]] = {}
        # A lease outlives the longest poll: fetch timeout + broker ack timeout + parsing slack.
        self._lease_s = settings.ingest_feed_timeout_seconds + settings.ingest_ack_timeout_seconds + 30

    def _http(self) -> httpx.AsyncClient:
        if self._client is None:
            # trust_env off: the SSRF guard checks the address we connect to, not a proxy's.
            self._client = httpx.AsyncClient(timeout=self._settings.ingest_feed_timeout_seconds, trust_env=False)
        return self._client

    def start(self) -> None:
        """Run the scheduling loop as a task of the current event loop."""
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="feed-poller")

    async def stop(self) -> None:
        """Stop scheduling, cancel polls in flight (their leases expire), close the HTTP client."""
        tasks = [t for t in (self._task, *self._inflight.values()) if t is not None]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._task = None
        self._inflight.clear()
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def _run(self) -> None:
        while True:
            try:
                await self.tick()
            except Exception as exc:  # Redis down or a bug: keep the loop alive, try again next tick
                log.warning("feed scheduling failed", extra={"error": repr(exc)})
            await asyncio.sleep(self._settings.ingest_feed_tick_seconds)

    async def tick(self) -> None:
        """Start a poll for every due feed this replica can lease; refresh the feed gauges."""
        configs = await self._store.configs()
        states = await self._store.states([c.id for c in configs])
        now = datetime.now(UTC)
        self._update_gauges(configs, states, now)
        for config in configs:
            if len(self._inflight) >= self._settings.ingest_feed_concurrency:
                break
            state = states[config.id]
            if config.id in self._inflight or (state.next_poll_at is not None and state.next_poll_at > now):
                continue
            token = await self._store.acquire(config.id, self._lease_s)
            if token is None:
                continue
            # Another replica may have polled it between our read and our lease: look again.
            fresh = await self._store.state(config.id)
            if fresh.next_poll_at is not None and fresh.next_poll_at > datetime.now(UTC):
                await self._store.release(config.id, token)
                continue
            task = asyncio.create_task(self._poll_leased(config, token), name=f"poll-{config.id}")
            self._inflight[config.id] = task
            task.add_done_callback(self._forget(config.id))

    def _forget(self, fid: str) -> Callable[[asyncio.Task[None]], None]:
        def done(_task: asyncio.Task[None]) -> None:
            self._inflight.pop(fid, None)

        return done

    def _update_gauges(self, configs: list[FeedConfig], states: dict[str, FeedState], now: datetime) -> None:
        self._metrics.feeds.set(len(configs))
        self._metrics.feeds_failing.set(sum(states[c.id].consecutive_failures > 0 for c in configs))
        ages = [(now - (states[c.id].last_success_at or c.created_at)).total_seconds() for c in configs]
        self._metrics.feed_oldest_success_age.set(max(ages, default=0.0))

    async def poll_now(self, fid: str) -> Feed | None:
        """Poll one feed right away (API and tests); None when it does not exist; LeaseBusy when it is being polled."""
        config = await self._store.config(fid)
        if config is None:
            return None
        token = await self._store.acquire(fid, self._lease_s)
        if token is None:
            raise LeaseBusy(f"feed {fid} is being polled")
        await self._poll_leased(config, token)
        return to_api(config, await self._store.state(fid))

    async def _poll_leased(self, config: FeedConfig, token: str) -> None:
        try:
            await self._poll(config)
        finally:
            try:
                await self._store.release(config.id, token)
            except Exception as exc:  # the lease expires on its own
                log.warning("could not release feed lease", extra={"feed_id": config.id, "error": repr(exc)})

    async def _poll(self, config: FeedConfig) -> None:
        state = await self._store.state(config.id)
        started = time.perf_counter()
        now = datetime.now(UTC)
        outcome = "ok"
        error: str | None = None
        retry_after: float | None = None
        seen = published = 0
        validators: tuple[str | None, str | None] = (state.etag, state.last_modified)
        try:
            fetched = await fetch_feed(
                self._http(),
                config.url,
                guard=self._guard,
                etag=state.etag,
                last_modified=state.last_modified,
                timeout_s=self._settings.ingest_feed_timeout_seconds,
                max_bytes=self._settings.ingest_feed_max_bytes,
            )
            if fetched.not_modified:
                outcome = "not_modified"
            else:
                defaults = FeedDefaults(config.id, config.source, config.language)
                parsed = await asyncio.to_thread(parse_feed, fetched.content, defaults)
                seen = parsed.entries
                articles = await asyncio.to_thread(self._normalize, parsed.items)
                self._metrics.received.labels("feed").inc(len(articles))
                rejected = len(parsed.rejected) + len(parsed.items) - len(articles)
                if rejected:
                    self._metrics.rejected.labels("feed", "invalid").inc(rejected)
                if articles:
                    outcomes = await self._pipeline.submit(articles, "feed")
                    published = sum(not o.duplicate for o in outcomes)
                validators = (fetched.etag, fetched.last_modified)
        except FeedError as exc:
            outcome, error, retry_after = exc.outcome, str(exc), exc.retry_after_s
        except BrokerUnavailable as exc:
            outcome, error = "broker_unavailable", f"broker unavailable: {exc}"
        except StoreUnavailable as exc:
            outcome, error = "store_unavailable", str(exc)
        except Exception as exc:  # one bad feed must never stop the poller
            log.exception("feed poll failed unexpectedly", extra={"feed_id": config.id})
            outcome, error = "internal_error", f"{exc.__class__.__name__}: {exc}"
        self._metrics.feed_polls.labels(outcome).inc()
        self._metrics.feed_poll_seconds.observe(time.perf_counter() - started)
        self._metrics.feed_items.inc(seen)
        failures = 0 if error is None else state.consecutive_failures + 1
        delay = backoff_seconds(
            config.interval_seconds, failures, self._settings.ingest_feed_max_backoff_seconds, retry_after
        )
        update: dict[str, object] = {
            "last_polled_at": now,
            "last_outcome": outcome,
            "consecutive_failures": failures,
            "items_seen": state.items_seen + seen,
            "items_published": state.items_published + published,
            "next_poll_at": datetime.now(UTC) + timedelta(seconds=delay),
            "etag": validators[0],
            "last_modified": validators[1],
        }
        if error is None:
            update["last_success_at"] = now
        else:
            update.update(last_error=error[:500], last_error_at=now)
        await self._store.save_state(config.id, state.model_copy(update=update))
        log.info(
            "feed polled",
            extra={"feed_id": config.id, "outcome": outcome, "entries": seen, "published": published},
        )

    @staticmethod
    def _normalize(items: list[ArticleIn]) -> list[Article]:
        articles: list[Article] = []
        for item in items:
            try:
                articles.append(normalize(item))
            except EmptyArticle:
                continue
        return articles
