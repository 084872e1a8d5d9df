"""Precision, recall and F1 per topic, and macro-F1, for a labelled set."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field


@dataclass(slots=True)
class TopicCounts:
    """Confusion counts of one topic."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        """TP / (TP + FP); 1.0 when nothing was predicted and nothing expected."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else (1.0 if not self.fn else 0.0)

    @property
    def recall(self) -> float:
        """TP / (TP + FN); 1.0 when nothing was expected and nothing predicted."""
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else (1.0 if not self.fp else 0.0)

    @property
    def f1(self) -> float:
        """Harmonic mean of precision and recall."""
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def support(self) -> int:
        """How many items carry this label."""
        return self.tp + self.fn


@dataclass(slots=True)
class Evaluation:
    """Counts over a labelled set, topic by topic."""

    topics: Sequence[str]
    counts: dict[str, TopicCounts] = field(default_factory=dict)
    items: int = 0
    exact: int = 0
    errors: list[tuple[str, tuple[str, ...], tuple[str, ...]]] = field(default_factory=list)

    def add(self, item_id: str, gold: Iterable[str], predicted: Iterable[str]) -> None:
        """Count one item: its gold labels against the predicted topics."""
        g, p = set(gold), set(predicted)
        self.items += 1
        self.exact += g == p
        if g != p:
            self.errors.append((item_id, tuple(sorted(g)), tuple(sorted(p))))
        for t in self.topics:
            c = self.counts.setdefault(t, TopicCounts())
            if t in p and t in g:
                c.tp += 1
            elif t in p:
                c.fp += 1
            elif t in g:
                c.fn += 1

    @property
    def macro_f1(self) -> float:
        """Unweighted mean of per-topic F1."""
        if not self.topics:
            return 0.0
        return sum(self.counts.setdefault(t, TopicCounts()).f1 for t in self.topics) / len(self.topics)

    @property
    def micro_f1(self) -> float:
        """F1 over all topic decisions pooled."""
        tp = sum(c.tp for c in self.counts.values())
        fp = sum(c.fp for c in self.counts.values())
        fn = sum(c.fn for c in self.counts.values())
        return 2 * tp / (2 * tp + fp + fn) if tp else 0.0

    def as_dict(self) -> dict[str, object]:
        """The figures as plain data (for JSON output and the benchmark report)."""
        return {
            "items": self.items,
            "exact_match": round(self.exact / self.items, 4) if self.items else 0.0,
            "macro_f1": round(self.macro_f1, 4),
            "micro_f1": round(self.micro_f1, 4),
            "topics": {
                t: {
                    "precision": round(c.precision, 4),
                    "recall": round(c.recall, 4),
                    "f1": round(c.f1, 4),
                    "support": c.support,
                    "tp": c.tp,
                    "fp": c.fp,
                    "fn": c.fn,
                }
                for t in self.topics
                for c in [self.counts.setdefault(t, TopicCounts())]
            },
        }

    def table(self) -> str:
        """A fixed-width text table of per-topic figures and the macro average."""
        width = max([len("topic"), *(len(t) for t in self.topics)])
        lines = [f"{'topic':<{width}}  precision  recall     f1  support   tp   fp   fn"]
        for t in self.topics:
            c = self.counts.setdefault(t, TopicCounts())
            lines.append(
                f"{t:<{width}}  {c.precision:9.3f}  {c.recall:6.3f}  {c.f1:5.3f}  {c.support:7d}"
                f"  {c.tp:3d}  {c.fp:3d}  {c.fn:3d}"
            )
        lines.append(f"{'macro-F1':<{width}}  {'':9}  {'':6}  {self.macro_f1:5.3f}")
        lines.append(f"{'micro-F1':<{width}}  {'':9}  {'':6}  {self.micro_f1:5.3f}")
        lines.append(f"items: {self.items}, exact match: {self.exact / self.items if self.items else 0.0:.3f}")
        return "\n".join(lines)
