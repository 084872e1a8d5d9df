"""HTML to clean article text with the stdlib parser (pure: no I/O).

Scripts, styles and page furniture (navigation, footers, share bars, cookie banners,
"related" boxes) are dropped; block elements become paragraph breaks; entities are
decoded by the parser itself.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

# Never text, whatever their attributes say.
_SKIP_TAGS = frozenset(
    {"script", "style", "noscript", "template", "nav", "footer", "header", "aside", "form", "iframe", "svg"}
    | {"button", "select", "object", "embed", "canvas", "head", "title", "figcaption"}
)
_VOID_TAGS = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
)
_BLOCK_TAGS = frozenset(
    {"p", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "table", "section", "article"}
    | {"blockquote", "pre", "dd", "dt", "dl", "main", "figure", "hr", "address"}
)
# class/id words that mark boilerplate containers on news pages.
_BOILERPLATE = re.compile(
    r"(^|[\s_-])(share|sharing|social|related|comments?|advert|ads?|cookie|newsletter|promo|subscribe|"
    r"sidebar|breadcrumbs?|byline-social|paywall|outbrain|taboola|sponsored)($|[\s_-])",
    re.I,
)


class _TextExtractor(HTMLParser):
    """Collects visible text, tracking which open elements are skipped."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._stack: list[tuple[str, bool]] = []

    @property
    def _skipping(self) -> bool:
        return bool(self._stack) and self._stack[-1][1]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCK_TAGS or tag == "br":
            self.parts.append("\n" if tag == "br" else "\n\n")
        if tag in _VOID_TAGS:
            return
        marker = " ".join(v for k, v in attrs if k in ("class", "id", "role") and v)
        skip = self._skipping or tag in _SKIP_TAGS or bool(marker and _BOILERPLATE.search(marker))
        if marker and not skip and "navigation" in marker.lower():
            skip = True
        self._stack.append((tag, skip))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCK_TAGS or tag == "br":
            self.parts.append("\n" if tag == "br" else "\n\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _BLOCK_TAGS:
            self.parts.append("\n\n")
        # Close the innermost open element of that name and anything left open inside it.
        for index in range(len(self._stack) - 1, -1, -1):
            if self._stack[index][0] == tag:
                del self._stack[index:]
                break

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            # Source line breaks are collapsible white space in HTML; only <br> and blocks break lines.
            self.parts.append(data.replace("\n", " "))


_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200b\u202f\u205f\u3000\f\v]+")
_BLANK_LINES = re.compile(r"\n\s*\n+")


def tidy(text: str) -> str:
    """Collapse runs of spaces, strip lines, keep at most one blank line between paragraphs."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _SPACES.sub(" ", text)
    text = "\n".join(line.strip() for line in text.split("\n"))
    return _BLANK_LINES.sub("\n\n", text).strip()


def html_to_text(markup: str) -> str:
    """Visible article text of an HTML document or fragment."""
    parser = _TextExtractor()
    parser.feed(markup)
    parser.close()
    return tidy("".join(parser.parts))
