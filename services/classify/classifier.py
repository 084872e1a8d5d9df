"""The topic classifier: taxonomy patterns + modifiers -> scored, explained topic tags.

Pure: takes strings, returns values. No broker, no network, no model download.

Scoring, per topic: every pattern match in the article contributes its tier weight,
multiplied by where it is (headline, lead) and what surrounds it (hedging, background
cues); a negated match ("no civilians were hurt") or a vetoed sentence contributes
nothing, and a false friend ("stock exchange") hides the words it covers. Repeats of
one pattern decay; a match right after a "secondary" cue ("because of", "citing",
"amid") is a side remark and counts less. The sum ``s`` maps to a score ``1 - exp(-s)``; a topic is tagged
when the score reaches its threshold. Evidence is the sentences that contributed most.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from itertools import repeat
from pathlib import Path
from typing import NamedTuple

from schemas.models import Entity, TopicTag
from services.classify.entities import EntityExtractor
from services.classify.matching import PatternIndex, TextView
from services.classify.taxonomy import Taxonomy, Topic, load_taxonomy
from services.classify.text import Document, clip

DATA_DIR = Path(__file__).parent / "data"
DEFAULT_TAXONOMY = DATA_DIR / "taxonomy.toml"
DEFAULT_GAZETTEER = DATA_DIR / "gazetteer.csv"
DEFAULT_ACTORS = DATA_DIR / "actors.csv"

MAX_EVIDENCE = 3
# What a match in a secondary index means.
_FALSE_FRIEND, _VETO, _HEDGE, _BACKGROUND, _FIGURATIVE, _HISTORY = range(6)
_CLAUSE_BREAK = re.compile(r"[,;:()\u2013\u2014]")


@dataclass(frozen=True)
class Classification:
    """Topics at or above their threshold (best first) and the entities mentioned."""

    topics: tuple[TopicTag, ...]
    entities: tuple[Entity, ...]


class Hit(NamedTuple):
    """One pattern match and what it contributed; used for evidence and ``--explain``."""

    topic: str
    pattern: str
    tier: str
    phrase: str
    sentence: int
    weight: float
    note: str


@dataclass(frozen=True, slots=True)
class TopicScore:
    """The full scoring of one topic, tagged or not."""

    topic: str
    score: float
    threshold: float
    hits: tuple[Hit, ...]
    evidence: tuple[str, ...]

    @property
    def tagged(self) -> bool:
        """Whether the score reaches the threshold."""
        return self.score >= self.threshold


_OPENERS = "\"'“‘(«"


def _any_starts(words: list[str], prefixes: tuple[str, ...]) -> bool:
    """Whether one of ``words`` starts with one of ``prefixes``.

    Runs several times per match, so the loop is left to C (``map``) rather than a generator.
    """
    return any(map(str.startswith, words, repeat(prefixes)))


def _cue_at_end(rx: re.Pattern[str], words: tuple[str, ...], window: str, tail: list[str]) -> bool:
    """Whether ``rx`` matches at one of the ``tail`` words of ``window`` that starts like a cue."""
    end = len(window)
    for w in reversed(tail):
        j = window.rfind(w, 0, end)
        end = j
        core = w.lstrip(_OPENERS)
        if core.startswith(words) and rx.match(window, j + len(w) - len(core)):
            return True
    return False


class Classifier:
    """Tags articles with the topics of a taxonomy and extracts places and actors."""

    def __init__(self, taxonomy: Taxonomy, entities: EntityExtractor | None = None) -> None:
        self.taxonomy = taxonomy
        self.entities = entities
        self._topics = {t.id: t for t in taxonomy.topics}
        # Positive patterns of all topics share one index, matched first. The rest is only
        # looked at when it can change a decision: a topic's false friends, vetoes and
        # contexts when it has matches, the sentence cues when any topic has.
        self._index = PatternIndex()
        self._entries: list[tuple[int, int]] = []
        for ti, topic in enumerate(taxonomy.topics):
            for pi, pat in enumerate(topic.patterns):
                self._entries.append((ti, pi))
                self._index.add(len(self._entries) - 1, pat.source, group=("topic", ti))
        self._filters: list[PatternIndex] = []
        for topic in taxonomy.topics:
            f = PatternIndex()
            f.add_all(_FALSE_FRIEND, topic.false_friends)
            f.add_all(_VETO, topic.veto)
            self._filters.append(f)
        # Per context: its patterns and its exclusions ("!price war": a "war" they cover does not count).
        self._contexts: dict[str, PatternIndex] = {}
        self._context_exclusions: dict[str, PatternIndex] = {}
        for name, sources in taxonomy.contexts.items():
            self._contexts[name] = PatternIndex()
            self._contexts[name].add_all(0, [s for s in sources if not s.startswith("!")])
            excluded = [s[1:] for s in sources if s.startswith("!")]
            if excluded:
                self._context_exclusions[name] = PatternIndex()
                self._context_exclusions[name].add_all(0, excluded)
        self._cues = PatternIndex()
        self._cues.add_all(_HEDGE, taxonomy.modifiers.hedges)
        self._cues.add_all(_BACKGROUND, taxonomy.modifiers.background)
        self._cues.add_all(_FIGURATIVE, taxonomy.modifiers.figurative)
        self._cues.add_all(_HISTORY, taxonomy.modifiers.history)
        for index in (
            self._index,
            *self._filters,
            *self._contexts.values(),
            *self._context_exclusions.values(),
            self._cues,
        ):
            index.compile()
        self._unscored = [TopicScore(t.id, 0.0, t.threshold, (), ()) for t in taxonomy.topics]

    @classmethod
    def default(cls) -> Classifier:
        """The shipped taxonomy, gazetteer and actors list from ``services/classify/data/``."""
        return cls.from_files(DEFAULT_TAXONOMY, DEFAULT_GAZETTEER)

    @classmethod
    def from_files(cls, taxonomy: Path, gazetteer: Path | None = None, actors: Path | None = None) -> Classifier:
        """A classifier from a taxonomy file; gazetteer and actors default to the shipped ones."""
        tax = load_taxonomy(taxonomy)
        extractor = EntityExtractor.from_files(gazetteer or DEFAULT_GAZETTEER, actors or DEFAULT_ACTORS)
        return cls(tax, extractor)

    @property
    def topic_ids(self) -> tuple[str, ...]:
        """Ids of all topics in the taxonomy, in file order."""
        return tuple(self._topics)

    def threshold(self, topic: str) -> float:
        """The decision threshold of a topic; KeyError for an unknown topic."""
        return self._topics[topic].threshold

    def classify(self, title: str, body: str) -> Classification:
        """Tag one article: topics at or above threshold, best first, and its entities."""
        scores = self.score(title, body, exact=False)
        tags = [
            TopicTag(topic=s.topic, score=round(s.score, 4), evidence=s.evidence)
            for s in sorted(scores, key=lambda s: -s.score)
            if s.tagged
        ]
        ents = self.entities.extract(f"{title}\n{body}") if self.entities is not None else ()
        return Classification(topics=tuple(tags), entities=ents)

    def score(self, title: str, body: str, exact: bool = True) -> list[TopicScore]:
        """Score every topic of the taxonomy, with hits; the basis of classify and explain.

        With ``exact=False`` a topic that cannot reach its threshold even if every match
        counted in full is returned with score 0 and no hits (it saves the modifier checks).
        """
        doc = Document(title, body)
        view = TextView(doc.text, doc.low)
        topics = self.taxonomy.topics
        settings = self.taxonomy.settings
        found: list[list[tuple[int, int, int]]] = [[] for _ in topics]
        for m in self._index.find(view):
            ti, pi = self._entries[m.key]
            found[ti].append((pi, m.start, m.end))
        live: list[int] = []
        present: dict[str, bool] = {}
        for ti, topic in enumerate(topics):
            if not found[ti]:
                continue
            if not exact:
                # Skip a topic that could not reach its threshold even if every match counted in full.
                bound = sum(topic.patterns[f[0]].weight for f in found[ti]) * max(settings.headline_weight, 1.0)
                if 1.0 - math.exp(-bound) < topic.threshold:
                    continue
            ok = True
            for name in topic.requires:
                if name not in present:
                    present[name] = self._context_present(name, view)
                ok = ok and present[name]
            if ok:
                live.append(ti)
        hedged: set[int] = set()
        background: set[int] = set()
        figurative: set[int] = set()
        history = False
        if live:
            not_background = self.taxonomy.modifiers.background_exceptions
            for m in self._cues.find(view):
                if (
                    m.key == _BACKGROUND
                    and not_background is not None
                    and not_background.search(doc.low, max(0, m.start - 40), m.start)
                ):
                    continue
                if m.key == _HISTORY:
                    # A headline about an anniversary or a long-past war makes the whole article history.
                    history = history or doc.is_headline(doc.sentence_index(m.start))
                    continue
                target = hedged if m.key == _HEDGE else background if m.key == _BACKGROUND else figurative
                target.add(doc.sentence_index(m.start))
        scores: list[TopicScore] = []
        for ti, topic in enumerate(topics):
            if ti not in live:
                scores.append(self._unscored[ti])
                continue
            hidden: list[tuple[int, int]] = []
            vetoed = set(figurative)
            for m in self._filters[ti].find(view):
                if m.key == _FALSE_FRIEND:
                    hidden.append((m.start, m.end))
                else:
                    vetoed.add(doc.sentence_index(m.start))
            scores.append(self._score_topic(topic, doc, found[ti], hidden, vetoed, hedged, background, history))
        return scores

    def _context_present(self, name: str, view: TextView) -> bool:
        """Whether a context occurs in the text, outside the words its exclusions cover."""
        excluded = self._context_exclusions.get(name)
        if excluded is None or not excluded.any(view):
            return self._contexts[name].any(view)
        covered = [(m.start, m.end) for m in excluded.find(view)]
        return any(not any(s < m.end and m.start < e for s, e in covered) for m in self._contexts[name].find(view))

    def _score_topic(
        self,
        topic: Topic,
        doc: Document,
        found: list[tuple[int, int, int]],
        hidden: list[tuple[int, int]],
        vetoed: set[int],
        hedged: set[int],
        background: set[int],
        history: bool = False,
    ) -> TopicScore:
        settings = self.taxonomy.settings
        # Where matches overlap, the heavier pattern wins; false friends hide what they cover.
        ranked = sorted(found, key=lambda f: (-topic.patterns[f[0]].weight, f[1]))
        taken: list[tuple[int, int, int]] = []
        for idx, start, end in ranked:
            if hidden and any(s < end and start < e for s, e in hidden):
                continue
            if taken and any(s < end and start < e for _, s, e in taken):
                continue
            taken.append((idx, start, end))
        taken.sort(key=lambda f: f[1])
        hits: list[Hit] = []
        repeats: dict[int, int] = {}
        for idx, start, end in taken:
            pat = topic.patterns[idx]
            sent = doc.sentence_index(start)
            s_start, s_end = doc.span(sent)
            note = ""
            weight = pat.weight
            # A vetoed sentence counts nothing whatever its cues say: do not look for them.
            negated = secondary = False
            if sent not in vetoed:
                negated, secondary = self._cues_before(doc, s_start, start, topic.negatable)
            if sent in vetoed:
                weight, note = 0.0, "vetoed"
            elif topic.negatable and (negated or self._negated_after(doc, s_end, end)):
                weight, note = 0.0, "negated"
            elif pat.tier != "strong" and self._attribution(doc, s_end, end):
                weight, note = 0.0, "source"
            else:
                if doc.is_headline(sent):
                    weight *= settings.headline_weight
                elif doc.is_lead(sent):
                    weight *= settings.lead_weight
                if sent in hedged:
                    weight *= settings.hedge_factor
                    note = "hedged"
                if sent in background:
                    weight *= settings.background_factor
                    note = "background"
                if history:
                    # History counts as background twice: no sentence of it is news.
                    weight *= settings.background_factor**2
                    note = "history"
                if secondary:
                    weight *= settings.secondary_factor
                    note = "secondary"
                n = repeats.get(idx, 0)
                repeats[idx] = n + 1
                weight *= settings.repeat_decay**n
            hits.append(Hit(topic.id, pat.source, pat.tier, doc.text[start:end], sent, weight, note))
        total = sum(h.weight for h in hits)
        counted = [h for h in hits if h.weight > 0]
        only_weak = bool(counted) and all(h.tier == "weak" for h in counted)
        if only_weak and len({h.pattern for h in counted}) < settings.min_weak_patterns:
            # One weak word, however often repeated, is not enough: it counts once.
            total = max(h.weight for h in counted)
        if len(doc.starts) >= settings.long_article_sentences:
            # In a long article, a topic met in one body sentence only is a passing mention
            # more often than the news: it counts less.
            sentences = {h.sentence for h in counted}
            if len(sentences) == 1:
                (only,) = sentences
                fresh = self.taxonomy.modifiers.fresh
                if not (doc.is_headline(only) or doc.is_lead(only)) and not (
                    fresh is not None and fresh.search(doc.text, *doc.span(only))
                ):
                    total *= settings.single_mention_factor
        score = 1.0 - math.exp(-total)
        evidence = self._evidence(doc, hits) if score >= topic.threshold else ()
        return TopicScore(topic.id, score, topic.threshold, tuple(hits), evidence)

    def _cues_before(self, doc: Document, s_start: int, start: int, negatable: bool) -> tuple[bool, bool]:
        """Whether a negation cue, and whether a side-remark cue, ends a few words before ``start``.

        Both must be in the same sentence and clause. The cue regexes are tried only at
        words that start like a cue, found by a cheap look at the last few words.
        """
        mods = self.taxonomy.modifiers
        window = doc.low[max(s_start, start - 60) : start]
        tail = window.split()[-(self.taxonomy.settings.negation_window + 4) :]
        cores = [w.lstrip(_OPENERS) for w in tail]  # shared by both cue checks
        negated = secondary = False
        if negatable and mods.negation_before is not None:
            rx, words = mods.negation_before, mods.negation_before_words
            if _any_starts(cores, words) and _cue_at_end(rx, words, window, tail):
                # "no fewer than 20 civilians" is not a negation: blank the exceptions and look again.
                exceptions = mods.negation_exceptions
                if exceptions is None:
                    negated = True
                else:
                    stripped = exceptions.sub(" _ ", window)
                    negated = _cue_at_end(rx, words, stripped, stripped.split()[-len(tail) :])
        if mods.secondary is not None:
            rx, words = mods.secondary, mods.secondary_words
            secondary = _any_starts(cores, words) and _cue_at_end(rx, words, window, tail)
        return negated, secondary

    @staticmethod
    def _clause_after(doc: Document, s_end: int, end: int, width: int) -> str:
        """The lowercased text after a match, up to ``width`` characters, the sentence end or a clause break."""
        after = doc.low[end : min(s_end, end + width)]
        brk = _CLAUSE_BREAK.search(after)
        return after[: brk.start()] if brk else after

    def _attribution(self, doc: Document, s_end: int, end: int) -> bool:
        """Whether a reporting verb follows within four words, same clause: the match names who said something."""
        mods = self.taxonomy.modifiers
        if mods.attribution_after is None:
            return False
        after = self._clause_after(doc, s_end, end, 50)
        head = after.split()[:5]
        if not _any_starts(head, mods.attribution_after_words):
            return False
        return mods.attribution_after.search(" ".join(head)) is not None

    def _negated_after(self, doc: Document, s_end: int, end: int) -> bool:
        """Whether the clause after a match denies it ("the evacuation did not take place")."""
        mods = self.taxonomy.modifiers
        if mods.negation_after is None:
            return False
        after = self._clause_after(doc, s_end, end, 60)
        head = after.split()[:6]
        return _any_starts(head, mods.negation_after_words) and mods.negation_after.search(after) is not None

    @staticmethod
    def _evidence(doc: Document, hits: list[Hit]) -> tuple[str, ...]:
        per_sentence: dict[int, float] = {}
        phrase: dict[int, str] = {}
        for h in hits:
            if h.weight <= 0:
                continue
            per_sentence[h.sentence] = per_sentence.get(h.sentence, 0.0) + h.weight
            phrase.setdefault(h.sentence, h.phrase)
        best = sorted(per_sentence, key=lambda i: (-per_sentence[i], i))[:MAX_EVIDENCE]
        out: list[str] = []
        for i in sorted(best):
            sentence = doc.sentence(i)
            at = sentence.lower().find(phrase[i].lower().split()[0]) if phrase[i].split() else 0
            at = max(at, 0)
            out.append(clip(sentence, at, at + len(phrase[i])))
        return tuple(out)
