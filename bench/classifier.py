"""Classifier benchmark: articles per second on one core, memory at rest, and F1 on the labelled sets.

``run(report)`` adds a ``classifier`` section to ``report`` and prints a table. The pattern
tier is what ships; the semantic tier (static word embeddings from ``wordllama``) is
measured only when that package is installed, to keep the decision in docs/classifier.md
reproducible.
"""

from __future__ import annotations

import gc
import json
import math
import os
import time
from pathlib import Path
from typing import Any

from bench.corpus import articles
from bench.measure import proc_mib
from services.classify.classifier import Classifier
from services.classify.evaluate import Evaluation

ROOT = Path(__file__).resolve().parent.parent
DEV = ROOT / "tests" / "data" / "classify_dev.jsonl"
HOLDOUT = ROOT / "tests" / "data" / "classify_holdout.jsonl"
# Sets written by team members who never saw the classifier; each was scored once before
# its errors were read and tuned on (docs/classifier.md, "Measured quality").
BLIND = {
    p.stem.removeprefix("classify_blind_"): p for p in sorted((ROOT / "tests" / "data").glob("classify_blind_*.jsonl"))
}


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


def throughput(classifier: Classifier, docs: list[tuple[str, str]], rounds: int = 5) -> float:
    """Articles per CPU-second on one thread: the best of ``rounds`` passes over ``docs``.

    CPU time (not wall time) and the best pass, so other processes on a shared machine
    disturb the figure as little as possible.
    """
    for title, body in docs[:50]:
        classifier.classify(title, body)
    best = float("inf")
    for _ in range(rounds):
        start = time.process_time()
        for title, body in docs:
            classifier.classify(title, body)
        best = min(best, time.process_time() - start)
    return len(docs) / best


def run(report: dict[str, Any]) -> None:
    """Measure the classifier and add its figures to ``report``."""
    gc.collect()
    rss_before = proc_mib()
    classifier = Classifier.default()
    gc.collect()
    rss_loaded = proc_mib()
    corpus = articles(500)
    docs = [(a["title"], a["body"]) for a in corpus]
    mean_bytes = sum(len((t + "\n" + b).encode()) for t, b in docs) / len(docs)
    rate = throughput(classifier, docs)
    dev, holdout = evaluate(classifier, DEV), evaluate(classifier, HOLDOUT)
    blind = {name: evaluate(classifier, path) for name, path in BLIND.items() if path.exists()}
    section: dict[str, Any] = {
        "tier": "pattern",
        "articles_per_second_one_core": round(rate, 1),
        "mean_article_bytes": round(mean_bytes),
        "process_rss_mib_at_rest": round(rss_loaded, 1),
        "classifier_load_rss_mib": round(rss_loaded - rss_before, 1),
        "load_average_1m": round(os.getloadavg()[0], 2),
        "dev": dev.as_dict(),
        "holdout": holdout.as_dict(),
        "blind": {name: ev.as_dict() for name, ev in blind.items()},
    }
    section["semantic"] = semantic_experiment(classifier, docs)
    report["classifier"] = section

    print("\nclassifier (pattern tier, one core)")
    print(
        f"  articles/s (~{mean_bytes / 1024:.1f} KB each) {rate:10.0f}   target >= 2000 (load {os.getloadavg()[0]:.1f})"
    )
    print(f"  RSS at rest, MiB                 {rss_loaded:10.1f}   (classifier adds {rss_loaded - rss_before:.1f})")
    print(f"  dev macro-F1 ({dev.items} items)        {dev.macro_f1:10.3f}   target >= 0.90")
    print(f"  holdout macro-F1 ({holdout.items} items)     {holdout.macro_f1:10.3f}")
    width = max(len(t) for t in classifier.topic_ids)
    names = list(blind)
    print(f"  {'topic':<{width}}  dev-F1  holdout-F1" + "".join(f"  blind-{n}" for n in names))
    for t in classifier.topic_ids:
        row = "".join(f"  {blind[n].counts[t].f1:7.3f}" for n in names)
        print(f"  {t:<{width}}  {dev.counts[t].f1:6.3f}  {holdout.counts[t].f1:10.3f}{row}")
    macro = "".join(f"  {blind[n].macro_f1:7.3f}" for n in names)
    print(f"  {'macro-F1':<{width}}  {dev.macro_f1:6.3f}  {holdout.macro_f1:10.3f}{macro}")
    sem = section["semantic"]
    if sem.get("available"):
        print(
            f"  semantic tier (wordllama, blended): dev {sem['dev_macro_f1']:.3f},"
            f" holdout {sem['holdout_macro_f1']:.3f}, embedding alone {sem['embed_articles_per_second']:.0f} articles/s"
        )
    else:
        print(f"  semantic tier: not measured ({sem.get('reason')})")


# The blend that scored best on the dev set when the semantic tier was evaluated:
# total += WEIGHT * max(0, cosine(article, topic prototype) - FLOOR).
SEMANTIC_WEIGHT, SEMANTIC_FLOOR = 3.0, 0.4


def semantic_experiment(classifier: Classifier, docs: list[tuple[str, str]]) -> dict[str, Any]:
    """Re-run the semantic-tier evaluation if ``wordllama`` is installed (it is not a dependency).

    Topic prototypes are the mean embedding of each topic's description and examples;
    an article's cosine similarity to a prototype adds to the pattern evidence. The
    weights are loaded from the wheel itself: no download.
    """
    try:
        import numpy as np
        import wordllama
        from wordllama import WordLlama
    except ImportError as exc:
        return {"available": False, "reason": f"wordllama not installed ({exc.name})"}
    wl = WordLlama.load(cache_dir=Path(wordllama.__file__).parent, disable_download=True)
    protos = []
    for topic in classifier.taxonomy.topics:
        emb = wl.embed([topic.description, *topic.examples], norm=True).mean(axis=0)
        protos.append(emb / np.linalg.norm(emb))
    prototypes = np.stack(protos)

    def blended(path: Path) -> Evaluation:
        rows = _labelled(path)
        sims = wl.embed([f"{t}. {b}" for _, t, b, _ in rows], norm=True) @ prototypes.T
        ev = Evaluation(topics=classifier.topic_ids)
        for (rid, title, body, labels), row in zip(rows, sims, strict=True):
            predicted = []
            for i, s in enumerate(classifier.score(title, body)):
                total = -math.log(max(1e-9, 1.0 - s.score)) + SEMANTIC_WEIGHT * max(0.0, float(row[i]) - SEMANTIC_FLOOR)
                if 1.0 - math.exp(-total) >= s.threshold:
                    predicted.append(s.topic)
            ev.add(rid, labels, predicted)
        return ev

    texts = [f"{t}. {b}" for t, b in docs]
    wl.embed(texts[:20])
    start = time.process_time()
    wl.embed(texts, norm=True)
    rate = len(texts) / (time.process_time() - start)
    return {
        "available": True,
        "dev_macro_f1": round(blended(DEV).macro_f1, 4),
        "holdout_macro_f1": round(blended(HOLDOUT).macro_f1, 4),
        "embed_articles_per_second": round(rate, 1),
    }
