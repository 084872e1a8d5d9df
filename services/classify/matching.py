"""Fast matching of many taxonomy patterns over one text.

Python's regex engine costs about 100 ns per character for a pattern that does not
start with a literal, so scanning a 2 KB article once per pattern is far too slow.
Instead every pattern is indexed by its *anchors*, the literal beginnings of the words
it can start with. Per text we lowercase once, collect the 4-letter prefixes of its
words in a set, look up only the anchors whose prefix is present, find their
occurrences with ``str.find`` and try each candidate pattern with ``match`` at that
position. A pattern with no anchor (a raw ``re:`` or one starting with ``CAP``)
falls back to a full scan.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from operator import itemgetter
from typing import NamedTuple

from services.classify.patterns import (
    NUMBER_ANCHORS,
    anchored,
    first_literals,
    has_cap,
    last_literals,
    translate,
)
from services.classify.text import lower_same_length

# Everything that is not part of a word becomes a space before splitting into words.
_NON_WORD = "!\"#$%&'()*+,-./:;<=>?@[\\]^`{|}~’‘“”«»—–…·•§°±×÷"
SPLIT_TABLE = str.maketrans({c: " " for c in _NON_WORD})
PREFIX = 4
# ``w[:PREFIX]`` as a C-level callable, so the prefix set is built without a Python loop.
_HEAD = itemgetter(slice(None, PREFIX))


class Match(NamedTuple):
    """One occurrence of one indexed pattern."""

    key: int
    start: int
    end: int


class TextView:
    """The lowercased text and the set of its word prefixes, computed once per article."""

    __slots__ = ("low", "prefixes", "text", "words")

    def __init__(self, text: str, low: str | None = None) -> None:
        self.text = text
        self.low = lower_same_length(text) if low is None else low
        self.words = set(self.low.translate(SPLIT_TABLE).split())
        self.prefixes = set(map(_HEAD, self.words))


def _word_start_finder(lit: str) -> re.Pattern[str]:
    """A regex finding ``lit`` where ``find`` accepts it: not after a letter, digit, ``_``, ``,`` or ``.``.

    The literal comes first so the regex engine can search for it quickly; the check of the
    character before is a lookbehind over the literal and that one character.
    """
    lit_rx = re.escape(lit)
    return re.compile(lit_rx + r"(?<![\w,.]" + lit_rx + ")")


def _self_overlaps(lit: str) -> bool:
    """Whether two occurrences of ``lit`` can overlap ("aba" in "ababa")."""
    return any(lit[k:] == lit[: len(lit) - k] for k in range(1, len(lit)))


# A pattern starting with a short word joined to the next by ``-`` (hyphen, space or nothing).
_GLUED_START = re.compile(r"(\w+)-(\w+)")

# A per-anchor regex of alternative patterns: (regex, group number -> key, 4-letter prefixes
# one of which its last word needs or None, whether it runs on the lowercased text)
_Entry = tuple[re.Pattern[str], dict[int, int], frozenset[str] | None, bool]


class PatternIndex:
    """Patterns registered under integer keys, matched all at once over a :class:`TextView`.

    Patterns added with the same ``group`` are alternatives of one another: at a given
    position only the first of them that matches (in the order added) is reported, which
    saves a regex call per pattern. A topic puts its strong patterns first, so the
    heaviest reading of a phrase wins.
    """

    def __init__(self) -> None:
        # anchor -> group -> [(key, regex source, 4-letter prefixes one of which its last word needs)]
        self._pending: dict[str, dict[tuple[object, bool], list[tuple[int, str, frozenset[str] | None]]]] = {}
        # anchor -> [(regex of the group, group number -> key, prefixes needed or None, on lowercased text)]
        self._by_anchor: dict[str, list[_Entry]] = {}
        self._short: list[str] = []
        self._by_prefix: dict[str, list[str]] = {}
        self._unanchored: list[tuple[int, re.Pattern[str]]] = []
        self._prefix_keys: frozenset[str] = frozenset()
        self._short_words: frozenset[str] = frozenset()
        self._short_digits: tuple[str, ...] = ()
        # anchor -> (its groups, the prefixes one of which every group needs or None,
        # whether some group needs one, the regex finding its word starts or None)
        self._plan: dict[str, tuple[list[_Entry], frozenset[str] | None, bool, re.Pattern[str] | None]] = {}
        self._dirty = False
        # Whether some pattern is indexed under a glued anchor too (then a match may come twice).
        self._glued = False

    def add(self, key: int, source: str, group: object = None) -> None:
        """Register one pattern under ``key``; ``group`` (default: the key) makes it an alternative."""
        literals = first_literals(source)
        if literals is None:
            self._unanchored.append((key, re.compile(anchored(source), re.IGNORECASE)))
            return
        # Most patterns are matched on the lowercased text without IGNORECASE, which the
        # regex engine runs much faster; those with CAP or a raw regex need the original case.
        folded = not has_cap(source) and not source.strip().startswith("re:")
        body = translate(source, fold=folded)
        last = last_literals(source)
        # Words shorter than the prefix cannot be checked against the prefix set: no requirement.
        need = None if last is None or any(len(w) < PREFIX for w in last) else frozenset(w[:PREFIX] for w in last)
        # A pattern found through anchor "hostage" is found through "hostages" too: keep the
        # shorter anchor only, so it is never tried twice at one position.
        kept = [w for w in literals if not any(o != w and len(o) >= PREFIX and w.startswith(o) for o in literals)]
        # A short first word joined by an optional hyphen ("air-strike*") also occurs glued into
        # one word ("airstrike"), which the whole-word check of a short anchor would never find:
        # index it under the glued form too.
        glued = _GLUED_START.match(source.strip())
        if glued and len(glued.group(1)) < PREFIX:
            joined = (glued.group(1) + glued.group(2)).lower()
            if len(joined) >= PREFIX and joined not in kept:
                kept.append(joined)
                self._glued = True
        for lit in kept:
            gkey = (key if group is None else group, folded)
            bucket = self._pending.setdefault(lit, {}).setdefault(gkey, [])
            bucket.append((key, body, need))
        self._dirty = True

    def add_all(self, key: int, sources: Iterable[str]) -> None:
        """Register several patterns under one key, as alternatives of one another."""
        for s in sources:
            self.add(key, s, group=("all", key))

    def compile(self) -> None:
        """Build the per-anchor regexes now (otherwise done on the first ``find``)."""
        self._by_anchor.clear()
        self._short.clear()
        self._by_prefix.clear()
        for lit, groups in self._pending.items():
            compiled: list[_Entry] = []
            for (_, folded), members in groups.items():
                parts: list[str] = []
                keys: dict[int, int] = {}
                group_no = 1
                needs = [m[2] for m in members]
                need: frozenset[str] | None = None if any(n is None for n in needs) else frozenset().union(*needs)  # type: ignore[arg-type]
                for key, body, _ in members:
                    keys[group_no] = key
                    part = "(" + body + r"(?!\w))"
                    group_no += 1 + re.compile(body).groups
                    parts.append(part)
                flags = 0 if folded else re.IGNORECASE
                compiled.append((re.compile("|".join(parts), flags), keys, need, folded))
            self._by_anchor[lit] = compiled
            if len(lit) < PREFIX:
                self._short.append(lit)
            else:
                self._by_prefix.setdefault(lit[:PREFIX], []).append(lit)
        self._prefix_keys = frozenset(self._by_prefix)
        self._short_words = frozenset(x for x in self._short if not x[0].isdigit())
        self._short_digits = tuple(x for x in self._short if x[0].isdigit())
        self._plan.clear()
        for lit, entries in self._by_anchor.items():
            needs = [e[2] for e in entries]
            conditional = any(n is not None for n in needs)
            # When every group needs one of some prefixes and a text has none of them, the
            # anchor is not even looked for in it.
            need = None if any(n is None for n in needs) else frozenset().union(*(n for n in needs if n is not None))
            # Short word anchors ("at", "on") occur inside many words ("that", "nation"): a regex
            # finds just their word starts in C instead of a Python loop over every substring.
            # Only for anchors that cannot overlap themselves, since finditer skips overlaps.
            finder = _word_start_finder(lit) if lit in self._short_words and not _self_overlaps(lit) else None
            self._plan[lit] = (entries, need, conditional, finder)
        self._dirty = False

    def any(self, view: TextView) -> bool:
        """Whether any pattern matches (stops at the first match)."""
        return bool(self.find(view, first=True))

    def find(self, view: TextView, first: bool = False) -> list[Match]:
        """Every match, at most one per (group, position), sorted by position.

        With ``first=True``, stop at the first match found (in no particular order).
        """
        if self._dirty:
            self.compile()
        text, low = view.text, view.low
        out: list[Match] = []
        # A short anchor is looked for only when it is a whole word of the text (digits
        # always), a longer one only when a word of the text starts like it.
        candidates = list(self._short_words & view.words)
        candidates.extend(self._short_digits)  # str.find below skips absent digits at the cost of one scan
        by_prefix = self._by_prefix
        prefixes = view.prefixes
        for p in prefixes & self._prefix_keys:
            candidates.extend(by_prefix[p])
        plan = self._plan
        for lit in candidates:
            entries, need, conditional, finder = plan[lit]
            if need is not None and prefixes.isdisjoint(need):
                continue
            if finder is not None:
                starts = [m.start() for m in finder.finditer(low)]
            else:
                starts = []
                i = low.find(lit)
                while i >= 0:
                    if i == 0 or not (low[i - 1].isalnum() or low[i - 1] in "_,."):
                        starts.append(i)
                    i = low.find(lit, i + 1)
            if not starts:
                continue
            if conditional:
                # Skip the groups whose last word cannot occur in this text.
                entries = [e for e in entries if e[2] is None or not prefixes.isdisjoint(e[2])]
            for i in starts:
                for rx, keys, _, folded in entries:
                    m = rx.match(low if folded else text, i)
                    if m is not None:
                        out.append(Match(keys[m.lastindex or 1], i, m.end()))
                        if first:
                            return out
        for key, rx in self._unanchored:
            for m in rx.finditer(text):
                out.append(Match(key, m.start(), m.end()))
                if first:
                    return out
        out.sort(key=lambda m: (m.start, -m.end))
        # A glued word can be reached through two anchors ("air" and "airstrike"): report it once.
        return list(dict.fromkeys(out)) if self._glued and len(out) > 1 else out

    @property
    def unanchored(self) -> int:
        """How many patterns need a full scan (slow; the shipped taxonomy has none)."""
        return len(self._unanchored)


__all__ = ["NUMBER_ANCHORS", "Match", "PatternIndex", "TextView", "lower_same_length"]
