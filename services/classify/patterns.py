"""The taxonomy's pattern language, compiled to Python regular expressions.

A pattern is a phrase, matched case-insensitively on word boundaries:

- words are separated by spaces; a space matches any run of spaces and punctuation
  inside a sentence (commas, quotes, hyphens), never a full stop or a line break;
- ``*`` inside or after a word matches any word characters and apostrophes (``evacuat*``);
- ``-`` matches a hyphen, a space or nothing (``cease-fire`` finds *ceasefire*,
  *cease-fire* and *cease fire*); ``'`` matches a straight, curly or no apostrophe;
- ``(a|b c)`` is a choice; ``(...)?`` is optional, with its separator; ``?`` after a
  letter makes that letter optional (``civilians?``);
- ``~N`` skips up to N words (``swap* ~3 prisoner*``);
- ``#`` is a number, in digits or words (``more than # fighters``);
- ``CAP`` is a word starting with a capital letter (a name: ``fall of CAP``);
- a pattern starting with ``re:`` is a raw Python regular expression.
"""

from __future__ import annotations

import re

from services.classify.exceptions import PatternError

# Any run of non-word characters that does not end a sentence (nor the headline).
SEP = r"[^\w.!?\n]+"
_GAP_WORD = r"\w+" + SEP
_NUMBER_WORDS = [
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
    "twenty",
    "thirty",
    "forty",
    "fifty",
    "sixty",
    "seventy",
    "eighty",
    "ninety",
    "hundreds",
    "dozens",
    "scores",
    "thousands",
    "several",
    "many",
]
_NUMBER = (
    r"(?:\d+(?:[,.]\d+)*|a\ hundred|a\ dozen|" + "|".join(_NUMBER_WORDS) + r")(?:[\s-](?:hundred|thousand|million))?"
)
# Literal beginnings of a number, for the matching index. "a dozen" is left out on
# purpose: anchoring on the word "a" would try the pattern at every "a" in the text.
NUMBER_ANCHORS = frozenset([*"0123456789", *_NUMBER_WORDS])
_CAP = r"(?-i:[A-ZА-ЯЁІЇЄҐ][\w'’-]+)"


class _Parser:
    """Recursive-descent translator from the pattern language to a regex string."""

    def __init__(self, source: str, fold: bool = False) -> None:
        self.fold = fold
        self.src = source
        self.pos = 0
        # Whether the choice just parsed ended a branch with a space: ``(the )?``.
        self._trailing = False

    def error(self, message: str) -> PatternError:
        return PatternError(f"{message} at column {self.pos + 1} in pattern {self.src!r}")

    def peek(self) -> str:
        return self.src[self.pos] if self.pos < len(self.src) else ""

    def parse(self) -> str:
        out = self.alternation()
        if self.pos != len(self.src):
            raise self.error(f"unexpected {self.peek()!r}")
        return out

    def alternation(self) -> str:
        branches = [self.sequence()]
        trailing = self._trailing
        while self.peek() == "|":
            self.pos += 1
            branches.append(self.sequence())
            trailing = trailing or self._trailing
        self._trailing = trailing
        if any(b == "" for b in branches):
            raise self.error("empty choice")
        return branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"

    def sequence(self) -> str:
        # items: (regex, optional, is_gap); items written without a space between them
        # are glued: ``(did|was)n't`` matches "didn't".
        items: list[tuple[str, bool, bool]] = []
        lead = self.peek() == " "
        trailing_group = False
        while True:
            spaced = False
            while self.peek() == " ":
                self.pos += 1
                spaced = True
            ch = self.peek()
            if ch in ("", "|", ")"):
                break
            after_trailing = trailing_group
            atom, optional, gap = self.item()
            trailing_group = self._trailing
            # A space closing the previous choice separates it from this item: ``(the )?city``
            # reads as ``(the)? city``, finding "city" and "the city".
            if items and not spaced and not gap and not items[-1][2] and not after_trailing:
                prev_atom, prev_optional, _ = items[-1]
                if prev_optional:
                    prev_atom = "(?:" + prev_atom + ")?"
                items[-1] = (prev_atom + ("(?:" + atom + ")?" if optional else atom), False, False)
                continue
            items.append((atom, optional, gap))
        out = _join(items)
        self._trailing = spaced and bool(out)
        # A space at the start of a choice means a separator: ``(did|was)( not|n't)``.
        return SEP + out if lead and out else out

    def item(self) -> tuple[str, bool, bool]:
        ch = self.peek()
        self._trailing = False
        if ch == "(":
            self.pos += 1
            inner = self.alternation()
            if self.peek() != ")":
                raise self.error("missing ')'")
            self.pos += 1
            atom, gap = "(?:" + inner + ")", False
            # self._trailing now tells whether a branch of this choice ended with a space.
        elif ch == "~":
            self.pos += 1
            digits = ""
            while self.peek().isdigit():
                digits += self.peek()
                self.pos += 1
            if not digits or int(digits) > 12:
                raise self.error("'~' needs a gap of 1 to 12 words")
            return "(?:" + _GAP_WORD + "){0," + digits + "}", False, True
        elif ch == "#":
            self.pos += 1
            atom, gap = _NUMBER, False
        elif self.src.startswith("CAP", self.pos) and not self.src[self.pos + 3 : self.pos + 4].isalnum():
            self.pos += 3
            atom, gap = _CAP, False
        else:
            atom = self.word_chars()
            if not atom:
                raise self.error(f"unexpected {ch!r}")
            gap = False
        optional = False
        if self.peek() == "?":
            self.pos += 1
            optional = True
        return atom, optional, gap

    def word_chars(self) -> str:
        out: list[str] = []
        while True:
            ch = self.peek()
            if ch == "*":
                out.append(r"[\w'’]*")
            elif ch == "-":
                out.append(r"[-\s]?")
            elif ch in ("'", "’"):
                out.append(r"['’]?")
            elif ch == "." and out:
                out.append(r"\.?")
            elif ch == "?" and out and out[-1] not in (r"[\w'’]*", r"[-\s]?", r"['’]?", r"\.?"):
                # Regex-style: ``civilians?`` makes the last letter optional.
                out[-1] = "(?:" + out[-1] + ")?"
            elif ch == "[":
                close = self.src.find("]", self.pos)
                if close <= self.pos + 1:
                    raise self.error("unclosed or empty '['")
                chars = self.src[self.pos + 1 : close]
                out.append("[" + re.escape(chars.lower() if self.fold else chars) + "]")
                self.pos = close
            elif ch and (ch.isalnum() or ch == "_"):
                out.append(re.escape(ch.lower() if self.fold else ch))
            else:
                break
            self.pos += 1
        return "".join(out)


def _join(items: list[tuple[str, bool, bool]]) -> str:
    """Join sequence items with separators.

    An optional item carries its own separator (before it, or after it when it
    follows a gap), and a gap already ends with one, so every combination of
    present and absent items needs exactly one separator between words.
    """
    out = ""
    need_sep = False
    for i, (atom, optional, gap) in enumerate(items):
        sep = SEP if need_sep else ""
        if gap:
            if i == 0:
                raise PatternError("a pattern cannot start with a '~' gap")
            out += sep + atom
            need_sep = False
        elif optional:
            if need_sep:
                out += "(?:" + SEP + atom + ")?"
            else:
                out += "(?:" + atom + SEP + ")?"
        else:
            out += sep + atom
            need_sep = True
    if items and items[-1][2]:
        raise PatternError("a pattern cannot end with a '~' gap")
    return out


def _split_top(text: str) -> list[str]:
    """Split on ``|`` outside parentheses."""
    parts, depth, cur = [], 0, ""
    for ch in text:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "|" and depth == 0:
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    parts.append(cur)
    return parts


_LEADING_WORD = re.compile(r"\w+")


def _first(text: str) -> set[str] | None:
    s = text.lstrip()
    if not s or s[0] in "~|)":
        return None
    if s[0] == "(":
        depth = 0
        close = -1
        for i, ch in enumerate(s):
            if ch == "(":
                depth += 1
            elif ch == ")":
                depth -= 1
                if depth == 0:
                    close = i
                    break
        if close < 0:
            return None
        out: set[str] = set()
        for alt in _split_top(s[1:close]):
            got = _first(alt)
            if got is None:
                return None
            out |= got
        rest = s[close + 1 :]
        if rest.startswith("?"):
            got = _first(rest[1:])
            if got is None:
                return None
            out |= got
        return out
    if s[0] == "#":
        return set(NUMBER_ANCHORS)
    if s.startswith("CAP") and not s[3:4].isalnum():
        return None
    m = _LEADING_WORD.match(s)
    if m is None:
        return None
    lit = m.group()
    if s[m.end() : m.end() + 1] == "?":
        lit = lit[:-1]
    return {lit} if lit else None


def first_literals(source: str) -> frozenset[str] | None:
    """The lowercase literal beginnings of every word a pattern can start with, or None if unknown.

    ``(missile*|rocket*) ~3 hit`` gives {"missile", "rocket"}; a pattern starting with
    ``CAP``, a gap or a raw ``re:`` regex has none and must be scanned in full.
    """
    text = " ".join(source.split())
    if text.startswith("re:"):
        return None
    got = _first(text)
    if not got:
        return None
    return frozenset(g.lower() for g in got)


_TRAILING_WORD = re.compile(r"[\w*\-'’?\[\].]+$")


def _last(text: str) -> set[str] | None:
    s = text.rstrip()
    if not s or s.endswith("?"):
        return None  # an optional last item requires nothing
    if s.endswith(")"):
        depth = 0
        open_at = -1
        for i in range(len(s) - 1, -1, -1):
            if s[i] == ")":
                depth += 1
            elif s[i] == "(":
                depth -= 1
                if depth == 0:
                    open_at = i
                    break
        if open_at < 0:
            return None
        out: set[str] = set()
        for alt in _split_top(s[open_at + 1 : -1]):
            got = _last(alt)
            if got is None:
                return None
            out |= got
        return out
    m = _TRAILING_WORD.search(s)
    if m is None:
        return None
    word = m.group()
    if m.start() > 0 and s[m.start() - 1] == ")":
        return None  # a suffix glued to a group: ``(a|b)s``
    lit = _LEADING_WORD.match(word)
    if lit is None or lit.start() != 0 or (word.startswith("CAP") and not word[3:4].isalnum()):
        return None
    return {lit.group()}


def last_literals(source: str) -> frozenset[str] | None:
    """Lowercase literal beginnings of every word a pattern can end with, or None if it can end anywhere.

    Used to skip a pattern quickly when no word of the text begins like its last word.
    """
    text = " ".join(source.split())
    if text.startswith("re:"):
        return None
    got = _last(text)
    if not got:
        return None
    return frozenset(g.lower() for g in got)


def has_cap(source: str) -> bool:
    """Whether a pattern uses ``CAP`` (and so must be matched on the original, mixed-case text)."""
    return not source.strip().startswith("re:") and re.search(r"(?<![\w])CAP(?![\w])", source) is not None


def translate(source: str, fold: bool = False) -> str:
    """Translate one pattern to a regex string (not anchored; see :func:`anchored`)."""
    text = source.strip()
    if not text:
        raise PatternError("empty pattern")
    if text.startswith("re:"):
        raw = text[3:].strip()
        try:
            re.compile(raw)
        except re.error as exc:
            raise PatternError(f"invalid regular expression {raw!r}: {exc}") from exc
        return raw
    return _Parser(" ".join(text.split()), fold=fold).parse()


def anchored(source: str, fold: bool = False) -> str:
    """The pattern as a regex that matches whole words only (``fold``: for lowercased text, without IGNORECASE)."""
    return r"(?<!\w)(?:" + translate(source, fold=fold) + r")(?!\w)"


def compile_any(sources: list[str] | tuple[str, ...]) -> re.Pattern[str] | None:
    """One case-insensitive regex matching any of the patterns, or None if there are none.

    Longer patterns are tried first, so at one position "no plans for" wins over "no".
    """
    if not sources:
        return None
    ordered = sorted(sources, key=len, reverse=True)
    return re.compile("|".join(anchored(s) for s in ordered), re.IGNORECASE)
