"""Loading the taxonomy file: the shipped one, a user's new topic, and clear errors for bad files."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.classify.classifier import DEFAULT_TAXONOMY, Classifier
from services.classify.exceptions import PatternError, TaxonomyError
from services.classify.taxonomy import load_taxonomy, parse_taxonomy

DESIGN_TOPICS = (
    "prisoner_exchange",
    "evacuation",
    "ceasefire_negotiations",
    "airstrike_shelling",
    "civilian_casualties",
    "surrender_capture",
    "humanitarian_aid",
    "war_crimes_justice",
)

MINIMAL = """
[contexts]
sea = ["sea", "ocean"]

[topics.piracy]
label = "Piracy"
description = "Ships seized by pirates."
threshold = 0.4
requires = ["sea"]
strong = ["pirat* ~3 (seized|hijacked|boarded)"]
medium = ["hijack*"]
false_friends = ["software pira*"]
"""


def test_shipped_taxonomy_has_exactly_the_design_topics() -> None:
    tax = load_taxonomy(DEFAULT_TAXONOMY)
    assert tuple(t.id for t in tax.topics) == DESIGN_TOPICS
    for t in tax.topics:
        assert t.label and t.description and t.examples
        assert 0 < t.threshold < 1


def test_shipped_examples_are_tagged_with_their_topic(classifier: Classifier) -> None:
    for topic in classifier.taxonomy.topics:
        for example in topic.examples:
            tagged = {t.topic for t in classifier.classify("", example).topics}
            assert topic.id in tagged, (topic.id, example)


def test_a_new_topic_needs_no_code(tmp_path: Path) -> None:
    path = tmp_path / "tax.toml"
    path.write_text(MINIMAL, encoding="utf-8")
    c = Classifier.from_files(path)
    assert c.topic_ids == ("piracy",)
    assert c.threshold("piracy") == 0.4
    result = c.classify("Pirates seized a tanker", "Somali pirates seized a tanker at sea on Monday.")
    assert [t.topic for t in result.topics] == ["piracy"]
    assert c.classify("", "Software pirates seized on a sea of cheap copies, firms say.").topics == ()


def error(text: str) -> TaxonomyError:
    with pytest.raises(TaxonomyError) as info:
        parse_taxonomy(text, path="tax.toml")
    return info.value


def test_invalid_toml_names_the_line() -> None:
    err = error('[topics.ab]\nstrong = ["x"\nlabel = 1\n')
    assert err.line is not None and err.line >= 2
    assert "not valid TOML" in str(err) and "tax.toml:" in str(err)


def test_a_bad_pattern_names_its_line_and_field() -> None:
    text = (
        '[topics.ok]\nstrong = ["fine"]\n\n[topics.bad]\nlabel = "Bad"\nstrong = [\n  "good",\n  "broken (paren",\n]\n'
    )
    with pytest.raises(PatternError) as info:
        parse_taxonomy(text, path="tax.toml")
    assert info.value.line == 8
    assert info.value.field == "topics.bad.strong[1]"
    assert str(info.value).startswith("tax.toml:8: topics.bad.strong[1]:")


def test_a_bad_threshold_names_its_line_and_field() -> None:
    err = error('[topics.ab]\nstrong = ["x"]\nthreshold = 1.5\n')
    assert (err.line, err.field) == (3, "topics.ab.threshold")
    assert "between" in str(err)


@pytest.mark.parametrize(
    ("text", "field", "message"),
    [
        ('[topics.ab]\nstrong = ["x"]\ncolour = "red"\n', "topics.ab", "unknown key(s): colour"),
        ('[topics.A]\nstrong = ["x"]\n', "topics.A", "lower_snake_case"),
        ("[topics.ab]\nlabel = 'A'\n", "topics.ab", "at least one pattern"),
        ('[topics.ab]\nstrong = ["x"]\nrequires = ["nowhere"]\n', "topics.ab.requires", "unknown context"),
        ('[topics.ab]\nstrong = "x"\n', "topics.ab.strong", "must be a list"),
        ('[topics.ab]\nstrong = ["x", 3]\n', "topics.ab.strong[1]", "non-empty string"),
        ('[topics.ab]\nstrong = ["x"]\nnegatable = "no"\n', "topics.ab.negatable", "true or false"),
        ('[settings]\nheadline_weight = "big"\n[topics.ab]\nstrong = ["x"]\n', "settings.headline_weight", "number"),
        ('[modifiers]\nhedges = ["(oops"]\n[topics.ab]\nstrong = ["x"]\n', "modifiers.hedges[0]", "missing"),
        ("[settings]\n", "topics", "at least one [topics.<id>]"),
        ('[wat]\n[topics.ab]\nstrong = ["x"]\n', "", "unknown top-level"),
    ],
)
def test_invalid_files_are_clear_errors(text: str, field: str, message: str) -> None:
    err = error(text)
    assert err.field == field
    assert message in str(err)


def test_a_missing_file_is_a_taxonomy_error(tmp_path: Path) -> None:
    with pytest.raises(TaxonomyError, match="cannot read"):
        load_taxonomy(tmp_path / "nope.toml")
