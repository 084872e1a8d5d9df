"""Shared fixtures for the classifier tests: one loaded classifier for the whole session."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from services.classify.classifier import Classifier
from services.classify.evaluate import Evaluation

DATA = Path(__file__).resolve().parents[2] / "data"


@pytest.fixture(scope="session")
def classifier() -> Classifier:
    return Classifier.default()


def topics_of(classifier: Classifier, title: str, body: str = "") -> set[str]:
    """The ids of the topics tagged on an article."""
    return {t.topic for t in classifier.classify(title, body).topics}


def evaluate_file(classifier: Classifier, path: Path) -> Evaluation:
    """Precision/recall/F1 of the classifier on a labelled JSON Lines file."""
    ev = Evaluation(topics=classifier.topic_ids)
    for line in path.read_text(encoding="utf-8").splitlines():
        r = json.loads(line)
        got = classifier.classify(r.get("title", ""), r.get("body", r.get("text", "")))
        ev.add(r["id"], r["labels"], [t.topic for t in got.topics])
    return ev
