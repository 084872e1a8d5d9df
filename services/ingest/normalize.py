"""Turn an incoming article into a clean, identified ``Article`` (pure: no I/O)."""

from __future__ import annotations

import hashlib
import html
import re
import unicodedata
from datetime import UTC, datetime
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from schemas.api import ArticleIn
from schemas.models import Article

_TRACKING_PARAMS = re.compile(r"^(utm_.*|fbclid|gclid|mc_cid|mc_eid|igshid|ref|ref_src|cmpid|ocid)$", re.I)
_DROP_BLOCKS = re.compile(r"<(script|style|noscript|template|nav|footer|header|aside)\b.*?</\1\s*>", re.I | re.S)
_BLOCK_TAGS = re.compile(r"</?(p|div|br|li|h[1-6]|tr|section|article|blockquote)\b[^>]*>", re.I)
_TAGS = re.compile(r"<[^>]+>")
_SPACES = re.compile(r"[ \t\u00a0]+")
_BLANK_LINES = re.compile(r"\n\s*\n+")


def canonical_url(url: str) -> str:
    """Lower-case scheme and host, drop the fragment, default ports and tracking parameters."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    port = parts.port
    if port and not ((scheme == "http" and port == 80) or (scheme == "https" and port == 443)):
        host = f"{host}:{port}"
    query = urlencode(
        sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _TRACKING_PARAMS.match(k))
    )
    path = parts.path or "/"
    return urlunsplit((scheme, host, path, query, ""))


def clean_text(text: str) -> str:
    """Unicode NFC, normalised spaces, at most one blank line between paragraphs."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    text = _SPACES.sub(" ", text)
    text = "\n".join(line.strip() for line in text.split("\n"))
    return _BLANK_LINES.sub("\n\n", text).strip()


def html_to_text(markup: str) -> str:
    """Strip scripts, styles and page furniture; keep paragraph breaks; decode entities."""
    markup = _DROP_BLOCKS.sub(" ", markup)
    markup = _BLOCK_TAGS.sub("\n\n", markup)
    return clean_text(html.unescape(_TAGS.sub(" ", markup)))


def content_hash(*parts: str) -> str:
    """A short, stable hex digest of the given text parts."""
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()
    return digest[:32]


def article_id(url: str | None, title: str, body: str) -> str:
    """Stable id: from the canonical URL when there is one, else from the content."""
    if url:
        return "a_" + content_hash(canonical_url(url))
    return "a_" + content_hash(title.casefold().strip(), body.casefold().strip())


def normalize(item: ArticleIn, received_at: datetime | None = None) -> Article:
    """Validate-and-clean one incoming article into the message ingest publishes."""
    title = clean_text(item.title)
    body = clean_text(item.body) if item.body and item.body.strip() else html_to_text(item.html or "")
    url = canonical_url(str(item.url)) if item.url else None
    aid = article_id(url, title, body)
    published = item.published_at
    if published is not None and published.tzinfo is None:
        published = published.replace(tzinfo=UTC)
    return Article(
        id=aid,
        story_id=aid,
        title=title,
        body=body,
        url=url,
        source=item.source,
        published_at=published,
        language=item.language,
        metadata=item.metadata,
        received_at=received_at or datetime.now(UTC),
    )
