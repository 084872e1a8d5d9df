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
from pathlib import Path

from schemas.models import Entity, TopicTag
from services.classify.entities import EntityExtractor
from services.classify.taxonomy import Taxonomy, Topic, load_taxonomy
from services.classify.text import Document, clip

DATA_DIR = Path(__file__).parent / "data"
DEFAULT_TAXONOMY = DATA_DIR / "taxonomy.toml"
DEFAULT_GAZETTEER = DATA_DIR / "gazetteer.csv"
DEFAULT_ACTORS = DATA_DIR / "actors.csv"

MAX_EVIDENCE = 3
_CLAUSE_BREAK = re.compile(r"[,;:()\u2013\u2014]")


@dataclass(frozen=True)
class Classification:
    """Topics at or above their threshold (best first) and the entities mentioned."""

    topics: tuple[TopicTag, ...]
    entities: tuple[Entity, ...]


@dataclass(frozen=True, slots=True)
class Hit:
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


class _Context:
    """Per-article caches of sentence-level cues, computed on first use."""

    __slots__ = ("_bg", "_contexts", "_hedge", "doc", "tax")

    def __init__(self, doc: Document, tax: Taxonomy) -> None:
        self.doc = doc
        self.tax = tax
        self._contexts: dict[str, bool] = {}
        self._hedge: set[int] | None = None
        self._bg: set[int] | None = None

    def has_context(self, name: str) -> bool:
        got = self._contexts.get(name)
        if got is None:
            got = self.tax.contexts[name].search(self.doc.text) is not None
            self._contexts[name] = got
        return got

    def _sentences_with(self, rx: re.Pattern[str] | None) -> set[int]:
        if rx is None:
            return set()
        return {self.doc.sentence_index(m.start()) for m in rx.finditer(self.doc.text)}

    def hedged(self, sentence: int) -> bool:
        if self._hedge is None:
            self._hedge = self._sentences_with(self.tax.modifiers.hedges)
        return sentence in self._hedge

    def background(self, sentence: int) -> bool:
        if self._bg is None:
            self._bg = self._sentences_with(self.tax.modifiers.background)
        return sentence in self._bg


class Classifier:
    """Tags articles with the topics of a taxonomy and extracts places and actors."""

    def __init__(self, taxonomy: Taxonomy, entities: EntityExtractor | None = None) -> None:
        self.taxonomy = taxonomy
        self.entities = entities
        self._topics = {t.id: t for t in taxonomy.topics}

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
        scores = self.score(title, body)
        tags = [
            TopicTag(topic=s.topic, score=round(s.score, 4), evidence=s.evidence)
            for s in sorted(scores, key=lambda s: -s.score)
            if s.tagged
        ]
        ents = self.entities.extract(f"{title}\n{body}") if self.entities is not None else ()
        return Classification(topics=tuple(tags), entities=ents)

    def score(self, title: str, body: str) -> list[TopicScore]:
        """Score every topic of the taxonomy, with hits; the basis of classify and explain."""
        doc = Document(title, body)
        ctx = _Context(doc, self.taxonomy)
        return [self._score_topic(topic, doc, ctx) for topic in self.taxonomy.topics]

    def _score_topic(self, topic: Topic, doc: Document, ctx: _Context) -> TopicScore:
        text = doc.text
        settings = self.taxonomy.settings
        context_ok = all(ctx.has_context(name) for name in topic.requires)
        hidden: list[tuple[int, int]] = []
        if topic.false_friend_re is not None:
            hidden = [m.span() for m in topic.false_friend_re.finditer(text)]
        vetoed: set[int] = set()
        if topic.veto_re is not None:
            vetoed = {doc.sentence_index(m.start()) for m in topic.veto_re.finditer(text)}

        hits: list[Hit] = []
        repeats: dict[int, int] = {}
        for m in topic.matcher.finditer(text):
            idx = topic.group_to_pattern[m.lastindex or 0]
            pat = topic.patterns[idx]
            start, end = m.span()
            if hidden and any(s < end and start < e for s, e in hidden):
                continue
            if not context_ok:
                continue
            sent = doc.sentence_index(start)
            note = ""
            weight = pat.weight
            if sent in vetoed:
                weight, note = 0.0, "vetoed"
            elif topic.negatable and self._negated(doc, sent, start, end):
                weight, note = 0.0, "negated"
            else:
                if doc.is_headline(sent):
                    weight *= settings.headline_weight
                elif doc.is_lead(sent):
                    weight *= settings.lead_weight
                if ctx.hedged(sent):
                    weight *= settings.hedge_factor
                    note = "hedged"
                if ctx.background(sent):
                    weight *= settings.background_factor
                    note = "background"
                if self._secondary(doc, sent, start):
                    weight *= settings.secondary_factor
                    note = "secondary"
                n = repeats.get(idx, 0)
                repeats[idx] = n + 1
                weight *= settings.repeat_decay**n
            hits.append(Hit(topic.id, pat.source, pat.tier, m.group(), sent, weight, note))

        total = sum(h.weight for h in hits)
        score = 1.0 - math.exp(-total)
        return TopicScore(topic.id, score, topic.threshold, tuple(hits), self._evidence(doc, hits))

    def _cue_before(self, rx: re.Pattern[str] | None, doc: Document, sent: int, start: int, strip: bool) -> bool:
        """Whether a cue of ``rx`` ends a few words before ``start``, in the same sentence and clause."""
        if rx is None:
            return False
        s_start = doc.span(sent)[0]
        window = doc.text[max(s_start, start - 80) : start]
        exceptions = self.taxonomy.modifiers.negation_exceptions
        if strip and exceptions is not None:
            window = exceptions.sub(" _ ", window)
        return rx.search(window) is not None

    def _secondary(self, doc: Document, sent: int, start: int) -> bool:
        return self._cue_before(self.taxonomy.modifiers.secondary, doc, sent, start, strip=False)

    def _negated(self, doc: Document, sent: int, start: int, end: int) -> bool:
        mods = self.taxonomy.modifiers
        if self._cue_before(mods.negation_before, doc, sent, start, strip=True):
            return True
        if mods.negation_after is not None:
            after = doc.text[end : min(doc.span(sent)[1], end + 60)]
            brk = _CLAUSE_BREAK.search(after)
            if brk:
                after = after[: brk.start()]
            if mods.negation_after.search(after):
                return True
        return False

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
