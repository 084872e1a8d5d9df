"""Turn an incoming article into a clean, identified ``Article`` (pure: no I/O)."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from datetime import UTC, datetime
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from schemas.api import ArticleIn
from schemas.models import Article
from services.ingest import htmltext
from services.ingest.exceptions import EmptyArticle
from services.ingest.language import detect_language, normalize_language

MAX_BODY_CHARS = 200_000
MAX_TITLE_CHARS = 1_000

_TRACKING_PARAMS = re.compile(r"^(utm_.*|fbclid|gclid|mc_cid|mc_eid|igshid|ref|ref_src|cmpid|ocid)$", re.I)
# C0/C1 control characters other than tab and newline never belong in article text.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


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
    """Unicode NFC, no control characters, normalised spaces, at most one blank line between paragraphs."""
    return htmltext.tidy(_CONTROL.sub("", unicodedata.normalize("NFC", text)))


def html_to_text(markup: str) -> str:
    """Visible text of HTML (scripts and page furniture dropped, entities decoded), cleaned."""
    return clean_text(htmltext.html_to_text(markup))


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
    title = " ".join(clean_text(item.title).split())[:MAX_TITLE_CHARS]
    body = clean_text(item.body) if item.body and item.body.strip() else html_to_text(item.html or "")
    body = body[:MAX_BODY_CHARS]
    if not title:
        raise EmptyArticle("title", "title has no text after cleaning")
    if not body:
        raise EmptyArticle("html" if not (item.body and item.body.strip()) else "body", "no text after cleaning")
    url = canonical_url(str(item.url)) if item.url else None
    aid = article_id(url, title, body)
    published = item.published_at
    if published is not None and published.tzinfo is None:
        published = published.replace(tzinfo=UTC)
    language = normalize_language(item.language) or detect_language(f"{title}\n{body}")
    return Article(
        id=aid,
        story_id=aid,
        title=title,
        body=body,
        url=url,
        source=item.source,
        published_at=published,
        language=language,
        metadata=item.metadata,
        received_at=received_at or datetime.now(UTC),
    )
