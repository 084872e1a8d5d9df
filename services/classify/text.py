"""Sentence segmentation for scoring and evidence: offsets only, no copies of the text."""

from __future__ import annotations

import re
from bisect import bisect_right

# A sentence ends at . ! ? (plus closing quotes/brackets) before a capital, digit or quote,
# or at a line break. Lowercase after a full stop (``U.S. officials``) does not split.
# (One character class comes first, before the alternatives, so the regex engine can skip
# ahead to the next candidate in C; each alternative then checks which character it was.)
_BOUNDARY = re.compile(r"[.!?\n](?:(?<=[.!?])[\"”’»)\]]*\s+(?=[\"“‘«(\[]?[A-Z0-9А-ЯЁІЇЄҐ])|(?<=\n)\s*)")
_SPACES = re.compile(r"\s+")


def lower_same_length(text: str) -> str:
    """``text.lower()``, keeping offsets aligned even for the rare letters that grow when lowercased."""
    low = text.lower()
    if len(low) == len(text):
        return low
    return "".join(ch.lower()[:1] for ch in text)


class Document:
    """Headline and body joined into one string, with sentence offsets."""

    __slots__ = ("body_start", "low", "starts", "text")

    def __init__(self, title: str, body: str) -> None:
        title = _SPACES.sub(" ", title).strip()
        self.text = f"{title}\n{body}" if title else body
        self.body_start = len(title) + 1 if title else 0
        starts = [0]
        if title:
            starts.append(self.body_start)
        for m in _BOUNDARY.finditer(self.text, self.body_start):
            if m.end() > starts[-1] and m.end() < len(self.text):
                starts.append(m.end())
        self.starts = starts
        self.low = lower_same_length(self.text)

    def sentence_index(self, pos: int) -> int:
        """Index of the sentence containing character ``pos``."""
        return bisect_right(self.starts, pos) - 1

    def span(self, index: int) -> tuple[int, int]:
        """Start and end offsets of sentence ``index``."""
        end = self.starts[index + 1] if index + 1 < len(self.starts) else len(self.text)
        return self.starts[index], end

    def sentence(self, index: int) -> str:
        """The sentence text, whitespace collapsed."""
        start, end = self.span(index)
        return " ".join(self.text[start:end].split())

    def is_headline(self, index: int) -> bool:
        """Whether sentence ``index`` is the headline."""
        return self.body_start > 0 and index == 0

    def is_lead(self, index: int) -> bool:
        """Whether sentence ``index`` is the first sentence of the body."""
        return index == (1 if self.body_start > 0 else 0)


def clip(sentence: str, start: int, end: int, limit: int = 300) -> str:
    """Shorten a sentence to ``limit`` characters around the span [start, end)."""
    if len(sentence) <= limit:
        return sentence
    half = max(0, (limit - (end - start)) // 2)
    lo = max(0, start - half)
    hi = min(len(sentence), lo + limit)
    lo = max(0, hi - limit)
    out = sentence[lo:hi].strip()
    return ("…" if lo > 0 else "") + out + ("…" if hi < len(sentence) else "")
