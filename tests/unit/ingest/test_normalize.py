"""Canonical URLs, stable ids and HTML cleaning."""

from __future__ import annotations

import pytest

from schemas.api import ArticleIn
from services.ingest.normalize import article_id, canonical_url, html_to_text, normalize


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("HTTPS://News.Example.COM/a/b?utm_source=x&id=3#frag", "https://news.example.com/a/b?id=3"),
        ("http://example.com:80/x?b=2&a=1&fbclid=zz", "http://example.com/x?a=1&b=2"),
        ("https://example.com:8443", "https://example.com:8443/"),
    ],
)
def test_canonical_url(raw: str, canonical: str) -> None:
    assert canonical_url(raw) == canonical


def test_id_from_url_ignores_tracking_and_from_content_otherwise() -> None:
    assert article_id("https://e.com/x?utm_medium=a", "t", "b") == article_id("https://E.com/x", "other", "other")
    assert article_id(None, "Title", "Body") == article_id(None, "title ", "body")
    assert article_id(None, "Title", "Body") != article_id(None, "Title", "Body 2")


def test_html_to_text_drops_scripts_and_decodes_entities() -> None:
    text = html_to_text("<html><script>var x=1;</script><p>Caf&eacute; &amp; bar</p><p>Second</p></html>")
    assert text == "Café & bar\n\nSecond"


def test_normalize_prefers_body_and_falls_back_to_html() -> None:
    from_html = normalize(ArticleIn(title=" A  title ", html="<p>Hello <b>world</b></p>"))
    assert from_html.title == "A title" and from_html.body == "Hello world"
    assert from_html.id == from_html.story_id


def test_article_in_needs_text() -> None:
    with pytest.raises(ValueError, match="body or html"):
        ArticleIn(title="only a title")
