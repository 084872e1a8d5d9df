"""Load and validate the taxonomy file: topics, their patterns, contexts and modifiers.

The taxonomy is TOML (see ``data/taxonomy.toml`` and docs/classifier.md). Loading
compiles every pattern once; any problem is a :class:`TaxonomyError` naming the
file, the line and the field, so a user editing the file can fix it.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from services.classify.exceptions import PatternError, TaxonomyError
from services.classify.patterns import anchored, compile_any, first_literals, has_cap

TOPIC_ID = re.compile(r"^[a-z][a-z0-9_]{1,63}$")
TIERS = ("strong", "medium", "weak")
DEFAULT_TIER_WEIGHTS = {"strong": 1.0, "medium": 0.6, "weak": 0.3}
_PATTERN_LISTS = (*TIERS, "false_friends", "veto")
_TOPIC_KEYS = {"label", "description", "threshold", "requires", "negatable", "examples", *_PATTERN_LISTS}
_MODIFIER_KEYS = {
    "negation_before",
    "negation_after",
    "attribution_after",
    "negation_exceptions",
    "hedges",
    "background",
    "background_exceptions",
    "secondary",
    "figurative",
    "history",
    "fresh",
}
_SETTING_KEYS = {
    "default_threshold",
    "headline_weight",
    "lead_weight",
    "hedge_factor",
    "background_factor",
    "secondary_factor",
    "repeat_decay",
    "negation_window",
    "min_weak_patterns",
    "single_mention_factor",
    "long_article_sentences",
    "tiers",
}


@dataclass(frozen=True, slots=True)
class Pattern:
    """One positive pattern of a topic with its weight."""

    source: str
    tier: str
    weight: float


@dataclass(frozen=True, slots=True)
class Topic:
    """A topic: what it means, how it is recognised, and where it decides."""

    id: str
    label: str
    description: str
    threshold: float
    patterns: tuple[Pattern, ...]
    requires: tuple[str, ...]
    negatable: bool
    false_friends: tuple[str, ...]
    veto: tuple[str, ...]
    examples: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Settings:
    """Scoring knobs shared by all topics."""

    default_threshold: float = 0.5
    headline_weight: float = 1.5
    lead_weight: float = 1.15
    hedge_factor: float = 0.85
    background_factor: float = 0.5
    secondary_factor: float = 0.4
    repeat_decay: float = 0.6
    negation_window: int = 2
    # A topic with only weak matches needs this many different weak patterns; one weak
    # word repeated ("trial", "trial", "trial") counts once.
    min_weak_patterns: int = 2
    # In an article of at least ``long_article_sentences`` sentences, a topic whose matches all
    # sit in one body sentence (not the headline or lead) counts ``single_mention_factor``.
    single_mention_factor: float = 1.0
    long_article_sentences: int = 8


@dataclass(frozen=True, slots=True)
class Modifiers:
    """Compiled cue regexes that change the weight of a match."""

    # negation_before and secondary match a cue followed by at most
    # ``negation_window`` words at the very end of the text before a match.
    negation_before: re.Pattern[str] | None
    negation_after: re.Pattern[str] | None
    attribution_after: re.Pattern[str] | None
    negation_exceptions: re.Pattern[str] | None
    # Words right before a background cue that make it no background: "for the first time since 2016".
    background_exceptions: re.Pattern[str] | None
    secondary: re.Pattern[str] | None
    # The literal first words of the cues above, to skip the regex when none is near.
    negation_before_words: tuple[str, ...]
    negation_after_words: tuple[str, ...]
    attribution_after_words: tuple[str, ...]
    secondary_words: tuple[str, ...]
    # Sentence-level cues, matched through the pattern index with everything else.
    hedges: tuple[str, ...]
    background: tuple[str, ...]
    figurative: tuple[str, ...]
    # In the headline, one of these makes the whole article history: every sentence is background.
    history: tuple[str, ...] = ()
    # A sentence with one of these tells today's news ("overnight", "on Tuesday"): the
    # single-mention discount of a long article does not apply to it.
    fresh: re.Pattern[str] | None = None


@dataclass(frozen=True, slots=True)
class Taxonomy:
    """The loaded taxonomy."""

    topics: tuple[Topic, ...]
    contexts: dict[str, tuple[str, ...]]
    modifiers: Modifiers
    settings: Settings
    path: str | None = None

    def topic(self, topic_id: str) -> Topic:
        """The topic with that id; KeyError if it does not exist."""
        for t in self.topics:
            if t.id == topic_id:
                return t
        raise KeyError(topic_id)


class _Locator:
    """Finds the line of a table, key or string in the TOML text, for error messages."""

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()

    def table(self, dotted: str) -> int | None:
        header = re.compile(r"^\s*\[\s*" + r"\s*\.\s*".join(re.escape(p) for p in dotted.split(".")) + r"\s*\]")
        for i, line in enumerate(self.lines):
            if header.match(line):
                return i + 1
        return None

    def key(self, table: str, key: str, needle: str | None = None) -> int | None:
        start = self.table(table) or 1
        key_re = re.compile(r"^\s*" + re.escape(key) + r"\s*=")
        found: int | None = None
        for i in range(start - 1, len(self.lines)):
            line = self.lines[i]
            if i >= start and re.match(r"^\s*\[", line) and found is None:
                break
            if found is None and key_re.match(line):
                found = i + 1
                if needle is None:
                    return found
            if found is not None and needle is not None and needle in line:
                return i + 1
            if found is not None and i > found - 1 and re.match(r"^\s*\[", line):
                break
        return found if found is not None else start


def _require(cond: bool, message: str, path: str, line: int | None, field_name: str) -> None:
    if not cond:
        raise TaxonomyError(message, path=path, line=line, field=field_name)


def _str_list(value: Any, path: str, loc: _Locator, table: str, key: str) -> tuple[str, ...]:
    line = loc.key(table, key)
    _require(isinstance(value, list), "must be a list of strings", path, line, f"{table}.{key}")
    out: list[str] = []
    for i, item in enumerate(value):
        _require(
            isinstance(item, str) and item.strip() != "",
            f"item {i + 1} must be a non-empty string",
            path,
            line,
            f"{table}.{key}[{i}]",
        )
        out.append(item)
    return tuple(out)


def _check_patterns(patterns: tuple[str, ...], path: str, loc: _Locator, table: str, key: str) -> None:
    for i, p in enumerate(patterns):
        try:
            re.compile(anchored(p))
        except PatternError as exc:
            raise PatternError(exc.reason, path=path, line=loc.key(table, key, p), field=f"{table}.{key}[{i}]") from exc
        except re.error as exc:
            raise PatternError(
                f"does not compile ({exc}): {p!r}", path=path, line=loc.key(table, key, p), field=f"{table}.{key}[{i}]"
            ) from exc


def _compile_list(
    value: Any, path: str, loc: _Locator, table: str, key: str
) -> tuple[tuple[str, ...], re.Pattern[str] | None]:
    items = _str_list(value, path, loc, table, key)
    _check_patterns(items, path, loc, table, key)
    return items, compile_any(items)


def _expand_context(
    name: str, contexts: dict[str, tuple[str, ...]], path: str, loc: _Locator, seen: tuple[str, ...]
) -> tuple[str, ...]:
    """A context's patterns, with ``@other`` items replaced by the patterns of context ``other``."""
    _require(
        name not in seen,
        f"context includes itself via {' -> '.join((*seen, name))}",
        path,
        loc.key("contexts", seen[0] if seen else name),
        f"contexts.{seen[0] if seen else name}",
    )
    out: list[str] = []
    for item in contexts[name]:
        if item.startswith("@"):
            other = item[1:]
            _require(
                other in contexts,
                f"unknown context {item!r}",
                path,
                loc.key("contexts", name, item),
                f"contexts.{name}",
            )
            out.extend(_expand_context(other, contexts, path, loc, (*seen, name)))
        else:
            out.append(item)
    return tuple(dict.fromkeys(out))


def _first_words(cues: tuple[str, ...]) -> tuple[str, ...]:
    """Lowercase beginnings of the first words of some cues (for a quick pre-check)."""
    out: set[str] = set()
    for cue in cues:
        lits = first_literals(cue)
        if lits is None:
            return ("",)  # unknown: every word may start a cue
        out |= lits
    return tuple(sorted(out))


def _tail_regex(cues: tuple[str, ...], window: int) -> re.Pattern[str] | None:
    """A regex matching a cue followed by at most ``window`` words at the end of a lowercased text, in one clause."""
    if not cues:
        return None
    alts = "|".join(anchored(c, fold=not has_cap(c)) for c in sorted(cues, key=len, reverse=True))
    gap = r"[^\w,;:()\u2013\u2014]+"
    return re.compile(r"(?:" + alts + r")(?:" + gap + r"[\w'’]+){0," + str(window) + r"}" + gap.replace("+", "*") + "$")


def _number(value: Any, path: str, line: int | None, name: str, lo: float, hi: float) -> float:
    ok = isinstance(value, int | float) and not isinstance(value, bool) and lo <= float(value) <= hi
    _require(ok, f"must be a number between {lo} and {hi}", path, line, name)
    return float(value)


def load_taxonomy(path: Path | str) -> Taxonomy:
    """Read, validate and compile a taxonomy file."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise TaxonomyError(f"cannot read the taxonomy file: {exc.strerror or exc}", path=p) from exc
    return parse_taxonomy(text, path=str(p))


def parse_taxonomy(text: str, path: str = "<taxonomy>") -> Taxonomy:
    """Validate and compile taxonomy TOML text."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"line (\d+)", str(exc))
        raise TaxonomyError(f"not valid TOML: {exc}", path=path, line=int(m.group(1)) if m else None) from exc
    loc = _Locator(text)

    unknown = set(data) - {"settings", "tiers", "contexts", "modifiers", "topics"}
    _require(not unknown, f"unknown top-level table(s): {', '.join(sorted(unknown))}", path, None, "")

    raw_settings = data.get("settings", {})
    _require(isinstance(raw_settings, dict), "must be a table", path, loc.table("settings"), "settings")
    bad = set(raw_settings) - _SETTING_KEYS
    _require(not bad, f"unknown key(s): {', '.join(sorted(bad))}", path, loc.table("settings"), "settings")
    s_kwargs: dict[str, Any] = {}
    for key in (
        "default_threshold",
        "hedge_factor",
        "background_factor",
        "secondary_factor",
        "repeat_decay",
        "single_mention_factor",
    ):
        if key in raw_settings:
            s_kwargs[key] = _number(raw_settings[key], path, loc.key("settings", key), f"settings.{key}", 0.0, 1.0)
    for key in ("headline_weight", "lead_weight"):
        if key in raw_settings:
            s_kwargs[key] = _number(raw_settings[key], path, loc.key("settings", key), f"settings.{key}", 0.0, 10.0)
    for key, most in (("negation_window", 12), ("min_weak_patterns", 12), ("long_article_sentences", 1000)):
        if key in raw_settings:
            s_kwargs[key] = int(_number(raw_settings[key], path, loc.key("settings", key), f"settings.{key}", 0, most))
    settings = Settings(**s_kwargs)

    tier_weights = dict(DEFAULT_TIER_WEIGHTS)
    raw_tiers = raw_settings.get("tiers", {})
    _require(isinstance(raw_tiers, dict), "must be a table", path, loc.key("settings", "tiers"), "settings.tiers")
    for name, w in raw_tiers.items():
        _require(
            name in TIERS,
            f"unknown tier {name!r}; use {', '.join(TIERS)}",
            path,
            loc.key("settings", "tiers"),
            f"settings.tiers.{name}",
        )
        tier_weights[name] = _number(w, path, loc.key("settings", "tiers"), f"settings.tiers.{name}", 0.0, 5.0)

    raw_contexts = data.get("contexts", {})
    _require(isinstance(raw_contexts, dict), "must be a table", path, loc.table("contexts"), "contexts")
    contexts: dict[str, tuple[str, ...]] = {}
    for name, value in raw_contexts.items():
        items = _str_list(value, path, loc, "contexts", name)
        _require(bool(items), "must list at least one pattern", path, loc.key("contexts", name), f"contexts.{name}")
        # "@other" includes another context; "!pattern" is an exclusion: words it covers do not count.
        plain = tuple(i[1:] if i.startswith("!") else i for i in items if not i.startswith("@"))
        _check_patterns(plain, path, loc, "contexts", name)
        contexts[name] = items
    contexts = {name: _expand_context(name, contexts, path, loc, ()) for name in contexts}

    raw_mod = data.get("modifiers", {})
    _require(isinstance(raw_mod, dict), "must be a table", path, loc.table("modifiers"), "modifiers")
    bad = set(raw_mod) - _MODIFIER_KEYS
    _require(not bad, f"unknown key(s): {', '.join(sorted(bad))}", path, loc.table("modifiers"), "modifiers")
    compiled_mod: dict[str, Any] = {}
    for key in sorted(_MODIFIER_KEYS):
        items, rx = _compile_list(raw_mod.get(key, []), path, loc, "modifiers", key)
        if key in ("negation_before", "secondary", "negation_after", "attribution_after"):
            compiled_mod[key + "_words"] = _first_words(items)
        if key in ("negation_before", "secondary"):
            compiled_mod[key] = _tail_regex(items, settings.negation_window)
        elif key == "background_exceptions":
            compiled_mod[key] = _tail_regex(items, 0)
        elif key in ("hedges", "background", "figurative", "history"):
            compiled_mod[key] = items
        else:
            compiled_mod[key] = rx
    modifiers = Modifiers(**compiled_mod)

    raw_topics = data.get("topics")
    _require(
        isinstance(raw_topics, dict) and bool(raw_topics),
        "the file must define at least one [topics.<id>] table",
        path,
        None,
        "topics",
    )
    assert isinstance(raw_topics, dict)
    topics: list[Topic] = []
    for tid, raw in raw_topics.items():
        table = f"topics.{tid}"
        tline = loc.table(table)
        _require(
            bool(TOPIC_ID.match(tid)),
            "topic id must be lower_snake_case (a-z, 0-9, _), 2 to 64 characters",
            path,
            tline,
            table,
        )
        _require(isinstance(raw, dict), "must be a table", path, tline, table)
        bad = set(raw) - _TOPIC_KEYS
        _require(not bad, f"unknown key(s): {', '.join(sorted(bad))}", path, tline, table)
        label = raw.get("label", tid.replace("_", " ").capitalize())
        _require(
            isinstance(label, str) and bool(label.strip()),
            "must be a non-empty string",
            path,
            loc.key(table, "label"),
            f"{table}.label",
        )
        description = raw.get("description", "")
        _require(
            isinstance(description, str),
            "must be a string",
            path,
            loc.key(table, "description"),
            f"{table}.description",
        )
        threshold = settings.default_threshold
        if "threshold" in raw:
            threshold = _number(raw["threshold"], path, loc.key(table, "threshold"), f"{table}.threshold", 0.01, 0.99)
        requires = _str_list(raw.get("requires", []), path, loc, table, "requires")
        for name in requires:
            _require(
                name in contexts,
                f"unknown context {name!r}; define it under [contexts]",
                path,
                loc.key(table, "requires"),
                f"{table}.requires",
            )
        negatable = raw.get("negatable", True)
        _require(
            isinstance(negatable, bool),
            "must be true or false",
            path,
            loc.key(table, "negatable"),
            f"{table}.negatable",
        )
        patterns: list[Pattern] = []
        for tier in TIERS:
            items = _str_list(raw.get(tier, []), path, loc, table, tier)
            _check_patterns(items, path, loc, table, tier)
            patterns.extend(Pattern(source=s, tier=tier, weight=tier_weights[tier]) for s in items)
        _require(bool(patterns), "a topic needs at least one pattern in strong, medium or weak", path, tline, table)
        ff, _ = _compile_list(raw.get("false_friends", []), path, loc, table, "false_friends")
        veto, _ = _compile_list(raw.get("veto", []), path, loc, table, "veto")
        examples = _str_list(raw.get("examples", []), path, loc, table, "examples")
        topics.append(
            Topic(
                id=tid,
                label=label.strip(),
                description=" ".join(description.split()),
                threshold=threshold,
                patterns=tuple(patterns),
                requires=requires,
                negatable=negatable,
                false_friends=ff,
                veto=veto,
                examples=examples,
            )
        )
    return Taxonomy(topics=tuple(topics), contexts=contexts, modifiers=modifiers, settings=settings, path=path)
