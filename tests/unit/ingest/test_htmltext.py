"""HTML to clean text: furniture and scripts dropped, entities decoded, paragraphs kept."""

from __future__ import annotations

import pytest

from services.ingest.normalize import clean_text, html_to_text

PAGE = """<!doctype html><html><head><title>Site | Story</title><style>p{color:red}</style></head>
<body><header><nav><a href="/">Home</a> <a href="/world">World</a></nav></header>
<div class="cookie-banner">We use cookies</div>
<article><h1>Truce  holds</h1>
<p>The truce held overnight,
officials said&nbsp;on Monday.</p>
<div class="social-share"><a>Tweet</a></div>
<p>Caf&eacute; owners reopened&#8212;cautiously.<br>Residents returned.</p>
<script>window.ads = [1, 2];</script><noscript>Enable JS</noscript>
</article><aside>Most read</aside><footer>© Outlet</footer></body></html>"""


def test_page_furniture_and_scripts_are_removed() -> None:
    assert html_to_text(PAGE) == (
        "Truce holds\n\nThe truce held overnight, officials said on Monday.\n\nCafé owners reopened—cautiously.\n"
        "Residents returned."
    )


@pytest.mark.parametrize(
    ("markup", "text"),
    [
        ("plain &amp; simple", "plain & simple"),
        ("<p>unclosed <b>bold <i>nested</p><p>next</p>", "unclosed bold nested\n\nnext"),
        ("<div id='related-links'><p>skip</p></div><p>keep</p>", "keep"),
        ("<ul><li>one</li><li>two</li></ul>", "one\n\ntwo"),
        ("<p>x</p><script>unterminated", "x"),
        ("", ""),
    ],
)
def test_fragments(markup: str, text: str) -> None:
    assert html_to_text(markup) == text


def test_clean_text_is_nfc_and_drops_control_characters() -> None:
    decomposed = "Cafe\u0301\x00 \t news\r\n\r\n\r\nnext"
    assert clean_text(decomposed) == "Café news\n\nnext"
