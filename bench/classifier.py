"""Classifier benchmark: articles per second on one core, memory at rest, and F1 on the labelled sets.

``run(report)`` adds a ``classifier`` section to ``report`` and prints a table. The pattern
tier is what ships; the semantic tier (static word embeddings from ``wordllama``) is
measured only when that package is installed, to keep the decision in docs/classifier.md
reproducible.
"""

from __future__ import annotations

import gc
import json
import os
import time
from pathlib import Path
from typing import Any

from bench.corpus import articles
from services.classify.classifier import Classifier
from services.classify.evaluate import Evaluation

ROOT = Path(__file__).resolve().parent.parent
DEV = ROOT / "tests" / "data" / "classify_dev.jsonl"
HOLDOUT = ROOT / "tests" / "data" / "classify_holdout.jsonl"


def _rss_mib() -> float:
    """Resident set size of this process in MiB (Linux), or 0.0 where /proc is missing."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _labelled(path: Path) -> list[tuple[str, str, str, list[str]]]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            r = json.loads(line)
            rows.append((r["id"], r.get("title", ""), r.get("body", r.get("text", "")), r["labels"]))
    return rows


def evaluate(classifier: Classifier, path: Path) -> Evaluation:
    """Score the classifier on a labelled JSON Lines file."""
    ev = Evaluation(topics=classifier.topic_ids)
    for rid, title, body, labels in _labelled(path):
        ev.add(rid, labels, [t.topic for t in classifier.classify(title, body).topics])
    return ev


def throughput(classifier: Classifier, docs: list[tuple[str, str]], seconds: float = 3.0) -> float:
    """Articles per second, single thread, over at least ``seconds`` of work."""
    for title, body in docs[:50]:
        classifier.classify(title, body)
    done, start = 0, time.perf_counter()
    while True:
        for title, body in docs:
            classifier.classify(title, body)
        done += len(docs)
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            return done / elapsed


def run(report: dict[str, Any]) -> None:
    """Measure the classifier and add its figures to ``report``."""
    gc.collect()
    rss_before = _rss_mib()
    classifier = Classifier.default()
    gc.collect()
    rss_loaded = _rss_mib()
    corpus = articles(1000)
    docs = [(a["title"], a["body"]) for a in corpus]
    mean_bytes = sum(len((t + "\n" + b).encode()) for t, b in docs) / len(docs)
    rate = throughput(classifier, docs)
    dev, holdout = evaluate(classifier, DEV), evaluate(classifier, HOLDOUT)
    section: dict[str, Any] = {
        "tier": "pattern",
        "articles_per_second_one_core": round(rate, 1),
        "mean_article_bytes": round(mean_bytes),
        "process_rss_mib_at_rest": round(rss_loaded, 1),
        "classifier_load_rss_mib": round(rss_loaded - rss_before, 1),
        "dev": dev.as_dict(),
        "holdout": holdout.as_dict(),
        "pid": os.getpid(),
    }
    section["semantic"] = _semantic(docs)
    report["classifier"] = section

    print("\nclassifier (pattern tier, one core)")
    print(f"  articles/s (~{mean_bytes / 1024:.1f} KB each) {rate:10.0f}   target >= 2000")
    print(f"  RSS at rest, MiB                 {rss_loaded:10.1f}   (classifier adds {rss_loaded - rss_before:.1f})")
    print(f"  dev macro-F1 ({dev.items} items)        {dev.macro_f1:10.3f}   target >= 0.90")
    print(f"  holdout macro-F1 ({holdout.items} items)     {holdout.macro_f1:10.3f}")
    width = max(len(t) for t in classifier.topic_ids)
    print(f"  {'topic':<{width}}  dev-F1  holdout-F1")
    for t in classifier.topic_ids:
        print(f"  {t:<{width}}  {dev.counts[t].f1:6.3f}  {holdout.counts[t].f1:10.3f}")
    sem = section["semantic"]
    if sem.get("available"):
        print(f"  semantic tier (wordllama embed only): {sem['articles_per_second_one_core']:.0f} articles/s")
    else:
        print(f"  semantic tier: not measured ({sem.get('reason')})")


def _semantic(docs: list[tuple[str, str]]) -> dict[str, Any]:
    """Embedding speed of the optional semantic tier, if its package is installed."""
    try:
        from services.classify.semantic import SemanticScorer
    except ImportError as exc:
        return {"available": False, "reason": f"services.classify.semantic not importable: {exc}"}
    try:
        scorer = SemanticScorer.load()
    except Exception as exc:  # the package is optional; any failure to load is reported, not raised
        return {"available": False, "reason": f"wordllama not usable: {exc}"}
    texts = [t + "\n" + b for t, b in docs]
    scorer.embed(texts[:50])
    start = time.perf_counter()
    scorer.embed(texts)
    elapsed = time.perf_counter() - start
    return {"available": True, "articles_per_second_one_core": round(len(texts) / elapsed, 1)}
