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
from dataclasses import dataclass

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
    """An article's text prepared for fast query tests."""

    words: frozenset[str]
    padded: str

    @classmethod
    def of(cls, text: str) -> Document:
        """Tokenise once; every subscription's query reuses it."""
        found = tokens(text)
        return cls(frozenset(found), " " + " ".join(found) + " ")


@dataclass(frozen=True)
class Term:
    """A word, a phrase (several words in order), or a prefix (``word*``)."""

    words: tuple[str, ...]
    prefix: bool = False

    def test(self, doc: Document) -> bool:
        if self.prefix:
            stem = self.words[0]
            return any(w.startswith(stem) for w in doc.words)
        if len(self.words) == 1:
            return self.words[0] in doc.words
        return " " + " ".join(self.words) + " " in doc.padded


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
