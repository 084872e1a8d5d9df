"""Keyword queries (pure): parse ``word "a phrase" AND (x OR y) NOT z`` and test it against text.

Grammar (operators in capitals; adjacent terms are ANDed; ``-term`` is NOT; ``word*`` is a prefix)::

    query  := or
    or     := and ("OR" and)*
    and    := unary (["AND"] unary)*
    unary  := ("NOT" | "-") unary | "(" or ")" | TERM | PHRASE

Matching is case-insensitive on word tokens, so ``"prisoners of war"`` matches
"Prisoners of War," but not "prisoners of the war".
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass, field

from services.notify.exceptions import QuerySyntaxError

MAX_TERMS = 64
MAX_DEPTH = 16

_WORD = re.compile(r"\w+", re.UNICODE)
_LEX = re.compile(r'\s*(?:(?P<lp>\()|(?P<rp>\))|"(?P<phrase>[^"]*)"|(?P<neg>-)(?=[\w"(])|(?P<word>[^\s()"]+))')


def tokens(text: str) -> list[str]:
    """Lower-cased word tokens of a text."""
    return _WORD.findall(text.lower())


@dataclass(frozen=True)
class Document:
    """An article's text prepared for fast query tests; term results are memoised per article,
    since thousands of subscriptions share the same words."""

    words: frozenset[str]
    padded: str
    sorted_words: tuple[str, ...]
    memo: dict[Term, bool] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def of(cls, text: str) -> Document:
        """Tokenise once; every subscription's query reuses it."""
        found = tokens(text)
        words = frozenset(found)
        return cls(words, " " + " ".join(found) + " ", tuple(sorted(words)))

    def has_prefix(self, stem: str) -> bool:
        """True when some word starts with ``stem``."""
        i = bisect_left(self.sorted_words, stem)
        return i < len(self.sorted_words) and self.sorted_words[i].startswith(stem)


@dataclass(frozen=True)
class Term:
    """A word, a phrase (several words in order), or a prefix (``word*``)."""

    words: tuple[str, ...]
    prefix: bool = False

    def test(self, doc: Document) -> bool:
        if len(self.words) == 1 and not self.prefix:
            return self.words[0] in doc.words
        known = doc.memo.get(self)
        if known is None:
            phrase = " " + " ".join(self.words) + " "
            known = doc.has_prefix(self.words[0]) if self.prefix else phrase in doc.padded
            doc.memo[self] = known
        return known


@dataclass(frozen=True)
class Not:
    """True when the inner expression is false."""

    inner: Node

    def test(self, doc: Document) -> bool:
        return not self.inner.test(doc)


@dataclass(frozen=True)
class And:
    """True when every part is true."""

    parts: tuple[Node, ...]

    def test(self, doc: Document) -> bool:
        return all(p.test(doc) for p in self.parts)


@dataclass(frozen=True)
class Or:
    """True when any part is true."""

    parts: tuple[Node, ...]

    def test(self, doc: Document) -> bool:
        return any(p.test(doc) for p in self.parts)


Node = Term | Not | And | Or


def _lex(query: str) -> list[tuple[str, str]]:
    if query.count('"') % 2:
        raise QuerySyntaxError("unbalanced double quote")
    out: list[tuple[str, str]] = []
    pos = 0
    while pos < len(query):
        if query[pos:].strip() == "":
            break
        m = _LEX.match(query, pos)
        if m is None or m.end() == pos:
            raise QuerySyntaxError(f"unexpected character at position {pos}: {query[pos : pos + 10]!r}")
        pos = m.end()
        if m.group("lp"):
            out.append(("(", "("))
        elif m.group("rp"):
            out.append((")", ")"))
        elif m.group("phrase") is not None:
            out.append(("phrase", m.group("phrase")))
        elif m.group("neg"):
            out.append(("NOT", "-"))
        else:
            word = m.group("word")
            out.append((word, word) if word in ("AND", "OR", "NOT") else ("word", word))
    return out


class _Parser:
    def __init__(self, items: list[tuple[str, str]]) -> None:
        self.items = items
        self.pos = 0
        self.terms = 0

    def peek(self) -> str | None:
        return self.items[self.pos][0] if self.pos < len(self.items) else None

    def take(self) -> tuple[str, str]:
        item = self.items[self.pos]
        self.pos += 1
        return item

    def parse_or(self, depth: int) -> Node:
        parts = [self.parse_and(depth)]
        while self.peek() == "OR":
            self.take()
            parts.append(self.parse_and(depth))
        return parts[0] if len(parts) == 1 else Or(tuple(parts))

    def parse_and(self, depth: int) -> Node:
        parts = [self.parse_unary(depth)]
        while self.peek() not in (None, ")", "OR"):
            if self.peek() == "AND":
                self.take()
            parts.append(self.parse_unary(depth))
        return parts[0] if len(parts) == 1 else And(tuple(parts))

    def parse_unary(self, depth: int) -> Node:
        if depth > MAX_DEPTH:
            raise QuerySyntaxError(f"query nests deeper than {MAX_DEPTH} levels")
        kind = self.peek()
        if kind is None:
            raise QuerySyntaxError("query ends where a term was expected")
        if kind in ("NOT",):
            self.take()
            return Not(self.parse_unary(depth + 1))
        if kind == "(":
            self.take()
            inner = self.parse_or(depth + 1)
            if self.peek() != ")":
                raise QuerySyntaxError("missing closing parenthesis")
            self.take()
            return inner
        if kind in (")", "AND", "OR"):
            raise QuerySyntaxError(f"unexpected {self.items[self.pos][1]!r} where a term was expected")
        _, value = self.take()
        self.terms += 1
        if self.terms > MAX_TERMS:
            raise QuerySyntaxError(f"query has more than {MAX_TERMS} terms")
        prefix = kind == "word" and value.endswith("*")
        words = tuple(tokens(value))
        if not words:
            raise QuerySyntaxError(f"term {value!r} has no letters or digits")
        if prefix and len(words) != 1:
            raise QuerySyntaxError(f"prefix {value!r} must be a single word")
        return Term(words, prefix)


def anchors(node: Node) -> frozenset[str] | None:
    """Words of which at least one must be in a text for ``node`` to match it, or None when no
    such set exists (NOT, prefixes). The matcher files keyword subscriptions under these words."""
    if isinstance(node, Term):
        return None if node.prefix else frozenset({max(node.words, key=len)})
    if isinstance(node, Not):
        return None
    found = [anchors(p) for p in node.parts]
    if isinstance(node, And):
        usable = [a for a in found if a is not None]
        return min(usable, key=len) if usable else None
    if any(a is None for a in found):
        return None
    return frozenset().union(*(a for a in found if a is not None))


def parse(query: str) -> Node:
    """The expression tree of a query; raises QuerySyntaxError saying what is wrong."""
    items = _lex(query)
    if not items:
        raise QuerySyntaxError("query is empty")
    parser = _Parser(items)
    node = parser.parse_or(0)
    if parser.peek() is not None:
        raise QuerySyntaxError(f"unexpected {parser.items[parser.pos][1]!r}")
    return node
