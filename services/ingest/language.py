"""A small language guesser for en, uk, ru, fr, de, es and ar (pure: no model, no I/O).

The script decides first (Arabic, Cyrillic, Latin); within a script, the language whose
common function words and distinctive letters occur most wins. Returns ``None`` when the
text gives too little evidence, so an unknown language is never guessed confidently.
"""

from __future__ import annotations

import re

_WORDS = re.compile(r"[^\W\d_]+", re.UNICODE)


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_STOPWORDS: dict[str, frozenset[str]] = {
    "en": _words(
        "the of and to in is was for on that with by as at from are were has have had it its this be "
        "said after which an will their who they not but"
    ),
    "fr": _words(
        "le la les des du de et est dans une un pour que qui sur par au aux avec sont a été ont il elle "
        "ne pas ce cette plus selon"
    ),
    "de": _words(
        "der die das und ist im in den von mit zu des dem ein eine nicht sich auf für wurde wurden sind "
        "hat haben auch nach bei aus"
    ),
    "es": _words(
        "el la los las de del y en que por con para una un es se fue han ha al lo sus su más según como entre"
    ),
    "uk": _words("і в у на та що з до не за як від це його її було був була які який також під час після про але"),
    "ru": _words(
        "и в на что с по не за как от это его ее было был была которые который также под после о но при из для"
    ),
}
# Letters found in one Cyrillic language and not the other.
_UK_LETTERS = frozenset("іїєґ")
_RU_LETTERS = frozenset("ыэъё")
_MIN_EVIDENCE = 3


_SCRIPTS = {
    "arabic": re.compile(r"[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]"),
    "cyrillic": re.compile(r"[\u0400-\u052f]"),
    "latin": re.compile(r"[a-zA-Z\u00c0-\u024f]"),
}


def detect_language(text: str, max_chars: int = 2_000) -> str | None:
    """ISO 639-1 code of the text's language among the supported ones, or None when unsure."""
    sample = text[:max_chars].casefold()
    scripts = {name: len(pattern.findall(sample)) for name, pattern in _SCRIPTS.items()}
    script = max(scripts, key=lambda s: scripts[s])
    if scripts[script] < 8:
        return None
    if script == "arabic":
        return "ar"
    words = _WORDS.findall(sample)
    if script == "cyrillic":
        letters = set(sample)
        uk = sum(w in _STOPWORDS["uk"] for w in words) + 3 * sum(sample.count(c) for c in _UK_LETTERS & letters)
        ru = sum(w in _STOPWORDS["ru"] for w in words) + 3 * sum(sample.count(c) for c in _RU_LETTERS & letters)
        if max(uk, ru) < _MIN_EVIDENCE or uk == ru:
            return None
        return "uk" if uk > ru else "ru"
    scores = {lang: sum(w in _STOPWORDS[lang] for w in words) for lang in ("en", "fr", "de", "es")}
    best = max(scores, key=lambda lang: scores[lang])
    ranked = sorted(scores.values(), reverse=True)
    if ranked[0] < _MIN_EVIDENCE or ranked[0] == ranked[1]:
        return None
    return best


def normalize_language(tag: str | None) -> str | None:
    """Primary subtag, lower-cased (``en-US`` -> ``en``); None for empty tags."""
    if not tag or not tag.strip():
        return None
    return tag.strip().replace("_", "-").split("-", 1)[0].lower() or None
