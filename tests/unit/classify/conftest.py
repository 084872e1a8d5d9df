"""Shared fixtures for the classifier tests: one loaded classifier for the whole session."""

from __future__ import annotations

import pytest

from services.classify.classifier import Classifier


@pytest.fixture(scope="session")
def classifier() -> Classifier:
    return Classifier.default()


def topics_of(classifier: Classifier, title: str, body: str = "") -> set[str]:
    """The ids of the topics tagged on an article."""
    return {t.topic for t in classifier.classify(title, body).topics}
