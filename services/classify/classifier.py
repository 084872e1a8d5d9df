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
from services.classify.matching import PatternIndex, TextView
from services.classify.taxonomy import Taxonomy, Topic, load_taxonomy
from services.classify.text import Document, clip

DATA_DIR = Path(__file__).parent / "data"
DEFAULT_TAXONOMY = DATA_DIR / "taxonomy.toml"
DEFAULT_GAZETTEER = DATA_DIR / "gazetteer.csv"
DEFAULT_ACTORS = DATA_DIR / "actors.csv"

MAX_EVIDENCE = 3
# What a match in the pattern index means.
_POS, _FALSE_FRIEND, _VETO, _CONTEXT, _HEDGE, _BACKGROUND, _FIGURATIVE = range(7)
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


class Classifier:
    """Tags articles with the topics of a taxonomy and extracts places and actors."""

    def __init__(self, taxonomy: Taxonomy, entities: EntityExtractor | None = None) -> None:
        self.taxonomy = taxonomy
        self.entities = entities
        self._topics = {t.id: t for t in taxonomy.topics}
        # Every pattern of every list goes into one index; an entry says what a match means.
        self._index = PatternIndex()
        self._entries: list[tuple[int, int, int]] = []
        self._context_names = list(taxonomy.contexts)

        def key(kind: int, topic: int, ref: int) -> int:
            self._entries.append((kind, topic, ref))
            return len(self._entries) - 1

        for ti, topic in enumerate(taxonomy.topics):
            for pi, pat in enumerate(topic.patterns):
                self._index.add(key(_POS, ti, pi), pat.source, group=("topic", ti))
            self._index.add_all(key(_FALSE_FRIEND, ti, 0), topic.false_friends)
            self._index.add_all(key(_VETO, ti, 0), topic.veto)
        for ci, name in enumerate(self._context_names):
            self._index.add_all(key(_CONTEXT, 0, ci), taxonomy.contexts[name])
        self._index.add_all(key(_HEDGE, 0, 0), taxonomy.modifiers.hedges)
        self._index.add_all(key(_BACKGROUND, 0, 0), taxonomy.modifiers.background)
        self._index.add_all(key(_FIGURATIVE, 0, 0), taxonomy.modifiers.figurative)
        self._index.compile()

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
        topics = self.taxonomy.topics
        n = len(topics)
        present: set[str] = set()
        hidden: list[list[tuple[int, int]]] = [[] for _ in range(n)]
        vetoed: list[set[int]] = [set() for _ in range(n)]
        found: list[list[tuple[int, int, int]]] = [[] for _ in range(n)]
        hedged: set[int] = set()
        background: set[int] = set()
        figurative: set[int] = set()
        for m in self._index.find(TextView(doc.text)):
            kind, ti, ref = self._entries[m.key]
            if kind == _POS:
                found[ti].append((ref, m.start, m.end))
            elif kind == _FALSE_FRIEND:
                hidden[ti].append((m.start, m.end))
            elif kind == _VETO:
                vetoed[ti].add(doc.sentence_index(m.start))
            elif kind == _CONTEXT:
                present.add(self._context_names[ref])
            elif kind == _HEDGE:
                hedged.add(doc.sentence_index(m.start))
            elif kind == _BACKGROUND:
                background.add(doc.sentence_index(m.start))
            else:
                figurative.add(doc.sentence_index(m.start))
        return [
            self._score_topic(
                topics[i], doc, found[i], hidden[i], vetoed[i] | figurative, present, hedged, background, exact
            )
            for i in range(n)
        ]

    def _score_topic(
        self,
        topic: Topic,
        doc: Document,
        found: list[tuple[int, int, int]],
        hidden: list[tuple[int, int]],
        vetoed: set[int],
        present: set[str],
        hedged: set[int],
        background: set[int],
        exact: bool,
    ) -> TopicScore:
        if not found or not all(name in present for name in topic.requires):
            return TopicScore(topic.id, 0.0, topic.threshold, (), ())
        settings = self.taxonomy.settings
        if not exact:
            bound = sum(topic.patterns[f[0]].weight for f in found) * max(settings.headline_weight, 1.0)
            if 1.0 - math.exp(-bound) < topic.threshold:
                return TopicScore(topic.id, 0.0, topic.threshold, (), ())
        # Where matches overlap, the heavier pattern wins; false friends hide what they cover.
        ranked = sorted(found, key=lambda f: (-topic.patterns[f[0]].weight, f[1]))
        taken: list[tuple[int, int, int]] = []
        for idx, start, end in ranked:
            if any(s < end and start < e for s, e in hidden):
                continue
            if any(s < end and start < e for _, s, e in taken):
                continue
            taken.append((idx, start, end))
        taken.sort(key=lambda f: f[1])
        hits: list[Hit] = []
        repeats: dict[int, int] = {}
        for idx, start, end in taken:
            pat = topic.patterns[idx]
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
                if sent in hedged:
                    weight *= settings.hedge_factor
                    note = "hedged"
                if sent in background:
                    weight *= settings.background_factor
                    note = "background"
                if self._secondary(doc, sent, start):
                    weight *= settings.secondary_factor
                    note = "secondary"
                n = repeats.get(idx, 0)
                repeats[idx] = n + 1
                weight *= settings.repeat_decay**n
            hits.append(Hit(topic.id, pat.source, pat.tier, doc.text[start:end], sent, weight, note))
        total = sum(h.weight for h in hits)
        score = 1.0 - math.exp(-total)
        evidence = self._evidence(doc, hits) if score >= topic.threshold else ()
        return TopicScore(topic.id, score, topic.threshold, tuple(hits), evidence)

    def _cue_before(
        self, rx: re.Pattern[str] | None, words: tuple[str, ...], doc: Document, sent: int, start: int, strip: bool
    ) -> bool:
        """Whether a cue of ``rx`` ends a few words before ``start``, in the same sentence and clause."""
        if rx is None:
            return False
        # Cheap pre-check, once per sentence: does any word start like a cue? ("n't" is glued to its verb.)
        cache = doc.cue_cache
        ck = (id(rx), sent)
        maybe = cache.get(ck)
        if maybe is None:
            maybe = cache[ck] = any(w.startswith(words) or w == "t" for w in doc.words(sent))
        if not maybe:
            return False
        s_start = doc.span(sent)[0]
        window = doc.text[max(s_start, start - 60) : start]
        if rx.search(window) is None:
            return False
        exceptions = self.taxonomy.modifiers.negation_exceptions
        if strip and exceptions is not None:
            # "no fewer than 20 civilians" is not a negation: blank the exception and look again.
            window = exceptions.sub(" _ ", doc.text[max(s_start, start - 80) : start])
            return rx.search(window) is not None
        return True

    def _secondary(self, doc: Document, sent: int, start: int) -> bool:
        mods = self.taxonomy.modifiers
        return self._cue_before(mods.secondary, mods.secondary_words, doc, sent, start, strip=False)

    def _negated(self, doc: Document, sent: int, start: int, end: int) -> bool:
        mods = self.taxonomy.modifiers
        if self._cue_before(mods.negation_before, mods.negation_before_words, doc, sent, start, strip=True):
            return True
        if mods.negation_after is not None:
            after = doc.text[end : min(doc.span(sent)[1], end + 60)]
            brk = _CLAUSE_BREAK.search(after)
            if brk:
                after = after[: brk.start()]
            head = after.lower().split()[:6]
            if any(w.startswith(mods.negation_after_words) for w in head) and mods.negation_after.search(after):
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
