"""Fetch a feed (conditional GET, size and time limits, SSRF-checked redirects) and turn its
entries into ``ArticleIn`` items with feedparser (RSS 0.9x/1.0/2.0, Atom).

Fetching is I/O at the edge; ``parse_feed`` is pure and also used by ``herald ingest`` for
RSS/Atom files.
"""

from __future__ import annotations

import asyncio
import calendar
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urljoin

import feedparser
import httpx
from pydantic import ValidationError

from schemas.api import ArticleIn
from services.ingest import htmltext
from services.ingest.exceptions import FeedError
from services.runtime.ssrf import UnsafeURL

MAX_REDIRECTS = 5
USER_AGENT = "Herald-ingest/1 (+https://github.com/herald; feed poller)"
_MAX_HTML = 1_000_000
_MAX_BODY = 200_000
_MAX_TITLE = 1_000

Guard = Callable[[str], Awaitable[None]]
"""Raises ``UnsafeURL`` when a URL may not be fetched (checked before every hop)."""


@dataclass(frozen=True)
class Fetched:
    """The result of one conditional GET."""

    not_modified: bool
    content: bytes = b""
    etag: str | None = None
    last_modified: str | None = None
    url: str = ""


async def fetch_feed(
    client: httpx.AsyncClient,
    url: str,
    *,
    guard: Guard,
    etag: str | None = None,
    last_modified: str | None = None,
    timeout_s: float = 20.0,
    max_bytes: int = 5 * 1024 * 1024,
) -> Fetched:
    """GET the feed, following at most MAX_REDIRECTS redirects, each one checked by ``guard``.

    Raises FeedError with outcome ``unsafe_url``, ``timeout``, ``network``, ``http_error``,
    ``too_large`` or ``redirects``.
    """
    headers = {"User-Agent": USER_AGENT, "Accept": "application/rss+xml, application/atom+xml, application/xml;q=0.9"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    try:
        async with asyncio.timeout(timeout_s):
            for _hop in range(MAX_REDIRECTS + 1):
                try:
                    await guard(url)
                except UnsafeURL as exc:
                    raise FeedError("unsafe_url", f"{url}: {exc}") from exc
                async with client.stream("GET", url, headers=headers, follow_redirects=False) as response:
                    if response.is_redirect and "location" in response.headers:
                        url = urljoin(url, response.headers["location"])
                        continue
                    if response.status_code == 304:
                        return Fetched(True, etag=etag, last_modified=last_modified, url=url)
                    if response.status_code >= 400:
                        raise FeedError(
                            "http_error",
                            f"HTTP {response.status_code} from {url}",
                            _retry_after(response.headers.get("retry-after")),
                        )
                    content = await _read_limited(response, max_bytes)
                    return Fetched(
                        False,
                        content,
                        etag=response.headers.get("etag"),
                        last_modified=response.headers.get("last-modified"),
                        url=url,
                    )
            raise FeedError("redirects", f"more than {MAX_REDIRECTS} redirects")
    except TimeoutError as exc:
        raise FeedError("timeout", f"no complete answer within {timeout_s:g}s") from exc
    except httpx.TimeoutException as exc:
        raise FeedError("timeout", f"{exc.__class__.__name__}: {exc}") from exc
    except httpx.HTTPError as exc:
        raise FeedError("network", f"{exc.__class__.__name__}: {exc}") from exc


async def _read_limited(response: httpx.Response, max_bytes: int) -> bytes:
    declared = response.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > max_bytes:
        raise FeedError("too_large", f"feed declares {declared} bytes; the limit is {max_bytes}")
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.aiter_bytes():
        size += len(chunk)
        if size > max_bytes:
            # Stop reading: leaving the stream context closes the connection.
            raise FeedError("too_large", f"feed is larger than the limit of {max_bytes} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    if value.strip().isdigit():
        return float(value.strip())
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


@dataclass(frozen=True)
class FeedDefaults:
    """What the entries of a feed inherit when they do not say it themselves."""

    feed_id: str | None = None
    source: str | None = None
    language: str | None = None


@dataclass
class ParsedFeed:
    """The entries of one feed document as articles, plus the entries that could not be used."""

    title: str | None
    items: list[ArticleIn] = field(default_factory=list)
    rejected: list[tuple[int, str]] = field(default_factory=list)
    """(entry position, 1-based; reason)"""

    @property
    def entries(self) -> int:
        """How many entries the document had."""
        return len(self.items) + len(self.rejected)


def parse_feed(content: bytes, defaults: FeedDefaults | None = None) -> ParsedFeed:
    """Parse an RSS or Atom document; raise FeedError('parse_error') when it is not a feed."""
    defaults = defaults or FeedDefaults()
    # Always bytes: given a str, feedparser would treat it as a URL or a file name.
    doc: Any = feedparser.parse(bytes(content), sanitize_html=True, resolve_relative_uris=True)
    if not doc.get("version") and not doc.entries:
        reason = doc.get("bozo_exception") or "not an RSS or Atom document"
        raise FeedError("parse_error", f"not a feed: {reason}")
    feed_title = _text(doc.feed.get("title_detail")) or doc.feed.get("title") or None
    source = defaults.source or feed_title
    language = defaults.language or doc.feed.get("language") or None
    parsed = ParsedFeed(title=feed_title)
    for position, entry in enumerate(doc.entries, start=1):
        try:
            parsed.items.append(_entry_to_article(entry, source, language, defaults.feed_id))
        except (ValueError, ValidationError) as exc:
            parsed.rejected.append((position, _reason(exc)))
    return parsed


def _reason(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        first = exc.errors(include_url=False)[0]
        return f"{'.'.join(str(p) for p in first['loc']) or 'entry'}: {first['msg']}"
    return str(exc)


def _text(detail: Any) -> str:
    """Plain text of a feedparser text construct (title, summary), whatever its type."""
    if not detail or not detail.get("value"):
        return ""
    value = str(detail["value"])
    if "html" in str(detail.get("type", "")):
        return htmltext.html_to_text(value)
    return value.strip()


def _entry_to_article(entry: Any, source: str | None, language: str | None, feed_id: str | None) -> ArticleIn:
    contents = [c for c in entry.get("content", []) if c.get("value")]
    main = max(contents, key=lambda c: len(c["value"])) if contents else entry.get("summary_detail")
    title = _text(entry.get("title_detail")) or entry.get("title", "").strip()
    body: str | None = None
    html: str | None = None
    if main and main.get("value"):
        if "html" in str(main.get("type", "")):
            html = str(main["value"])[:_MAX_HTML]
        else:
            body = str(main["value"])[:_MAX_BODY]
    if not title:
        text = body or htmltext.html_to_text(html or "")
        title = " ".join(text.split()[:12])
    if not title:
        raise ValueError("entry has neither a title nor any text")
    if not (body or html):
        # A headline-only entry (common in RSS 0.9x): the title is all the text there is.
        body = title
    published = entry.get("published_parsed") or entry.get("updated_parsed")
    metadata = {"feed_id": feed_id} if feed_id else {}
    if entry.get("author"):
        metadata["author"] = str(entry["author"])[:256]
    link = entry.get("link") or None
    url = link if link and link.startswith(("http://", "https://")) else None
    return ArticleIn(
        title=title[:_MAX_TITLE],
        body=body,
        html=html,
        url=url,
        source=(source or None) and source[:256],
        published_at=datetime.fromtimestamp(calendar.timegm(published), UTC) if published else None,
        language=(language or None) and language[:16],
        metadata=metadata,
    )
