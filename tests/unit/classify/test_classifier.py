"""The classifier's contract with the rest of Herald, and the quality bar on the labelled set."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from schemas.models import Entity, TopicTag
from services.classify.classifier import Classification, Classifier
from services.classify.taxonomy import parse_taxonomy
from tests.unit.classify.conftest import DATA, evaluate_file

DEV = Path(__file__).resolve().parents[2] / "data" / "classify_dev.jsonl"


def test_contract(classifier: Classifier) -> None:
    result = classifier.classify(
        "Missile strike kills 14 civilians in Dnipro; residents evacuated",
        "A Russian missile struck an apartment block in Dnipro, killing 14 civilians. "
        "Police evacuated residents of nearby buildings.",
    )
    assert isinstance(result, Classification)
    assert all(isinstance(t, TopicTag) for t in result.topics)
    assert all(isinstance(e, Entity) for e in result.entities)
    scores = [t.score for t in result.topics]
    assert scores == sorted(scores, reverse=True)
    assert {t.topic for t in result.topics} >= {"airstrike_shelling", "civilian_casualties", "evacuation"}
    for tag in result.topics:
        assert classifier.threshold(tag.topic) <= tag.score <= 1.0
        assert 1 <= len(tag.evidence) <= 3
    assert "ua-dnipro" in {e.id for e in result.entities}


def test_topic_ids_and_thresholds(classifier: Classifier) -> None:
    assert len(classifier.topic_ids) == 8
    assert all(0 < classifier.threshold(t) < 1 for t in classifier.topic_ids)


def test_evidence_is_the_sentence_that_fired(classifier: Classifier) -> None:
    body = "The council approved a new park. Hamas freed three hostages in exchange for 90 prisoners. Rain is due."
    (tag,) = [t for t in classifier.classify("", body).topics if t.topic == "prisoner_exchange"]
    assert tag.evidence == ("Hamas freed three hostages in exchange for 90 prisoners.",)


def test_nothing_to_tag(classifier: Classifier) -> None:
    assert classifier.classify("Weather", "Sunny spells and light winds are expected.") == Classification((), ())


def test_dev_set_meets_the_quality_bar(classifier: Classifier) -> None:
    ev = evaluate_file(classifier, DEV)
    assert ev.items >= 250
    assert ev.macro_f1 >= 0.90
    assert min(c.f1 for c in ev.counts.values()) >= 0.80


# Long-form journalism (sets k to n: analysis, features, reviews, many passing mentions) is the
# known weak spot; its bar is lower so that it guards against regressions without hiding that.
BLIND_SETS = [(f"classify_blind_{n}.jsonl", 0.90, 0.80) for n in "abcdefghij"] + [
    (f"classify_blind_{n}.jsonl", 0.82, 0.70) for n in "klmn"
]


@pytest.mark.parametrize(("name", "macro", "per_topic"), BLIND_SETS)
def test_blind_written_sets_stay_above_the_bar(
    classifier: Classifier, name: str, macro: float, per_topic: float
) -> None:
    """Sets written by team members who never saw the classifier (tuned on since): a regression guard."""
    ev = evaluate_file(classifier, DATA / name)
    assert ev.items >= 130
    assert ev.macro_f1 >= macro
    assert min(c.f1 for c in ev.counts.values()) >= per_topic


def test_dev_set_shape() -> None:
    rows = [json.loads(line) for line in DEV.read_text(encoding="utf-8").splitlines()]
    assert len(rows) >= 250
    assert sum(1 for r in rows if not r["labels"]) >= 80
    assert sum(1 for r in rows if len(r["labels"]) > 1) >= 20


def test_a_context_exclusion_hides_the_words_it_covers() -> None:
    tax = parse_taxonomy(
        """
[contexts]
conflict = ["war", "!price war"]
[topics.truce]
requires = ["conflict"]
strong = ["truce"]
"""
    )
    clf = Classifier(tax)
    assert [t.topic for t in clf.classify("Supermarkets call a truce in their price war", "").topics] == []
    assert [t.topic for t in clf.classify("Truce in the war holds", "").topics] == ["truce"]
    assert [t.topic for t in clf.classify("Price war ends as the war brings a truce", "").topics] == ["truce"]


def test_a_short_word_joined_by_a_hyphen_is_found_glued(classifier: Classifier) -> None:
    """ "air-strike*" is indexed under "air", which is not a word of "An airstrike hit ...": it must still match."""
    got = classifier.classify("Airstrike on aid warehouse kills five relief workers", "")
    assert "airstrike_shelling" in {t.topic for t in got.topics}
