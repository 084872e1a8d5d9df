"""Places from the gazetteer (with coordinates) and actors, and errors in those files."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.classify.classifier import DEFAULT_ACTORS, DEFAULT_GAZETTEER, Classifier
from services.classify.entities import EntityExtractor, load_actors, load_places
from services.classify.exceptions import GazetteerError


def ids(classifier: Classifier, text: str) -> list[str]:
    return [e.id for e in classifier.classify("", text).entities]


def test_places_carry_coordinates(classifier: Classifier) -> None:
    ents = classifier.classify("Missiles hit Kharkiv", "Russian missiles struck Kharkiv overnight.").entities
    kharkiv = next(e for e in ents if e.id == "ua-kharkiv")
    assert kharkiv.kind == "place"
    assert kharkiv.lat == pytest.approx(49.99, abs=0.1) and kharkiv.lon == pytest.approx(36.23, abs=0.1)


def test_aliases_other_scripts_and_old_spellings(classifier: Classifier) -> None:
    assert ids(classifier, "Shelling in Kharkov and Kiev") == ["ua-kharkiv", "ua-kyiv"]
    assert "ua-kyiv" in ids(classifier, "вибухи у Києві")
    assert "ua-kharkiv" in ids(classifier, "вибухи у Харкові")


def test_longest_name_wins_and_each_entity_once(classifier: Classifier) -> None:
    got = ids(classifier, "Strikes on Gaza City. Aid for Gaza City and the rest of Gaza. South Sudan, not Sudan.")
    assert got == ["ps-gaza-city", "ps-gaza", "ss", "sd"]


def test_names_are_case_sensitive(classifier: Classifier) -> None:
    assert ids(classifier, "a worn tyre and un-needed aid") == []
    assert ids(classifier, "Strikes near Tyre; the UN said") == ["lb-tyre", "un"]


def test_actors(classifier: Classifier) -> None:
    got = ids(classifier, "Hamas and the IDF; the ICRC and the World Food Programme; Hezbollah.")
    assert got == ["hamas", "idf", "icrc", "wfp", "hezbollah"]
    kinds = {e.kind for e in classifier.classify("", "Hamas said").entities}
    assert kinds == {"actor"}


def test_shipped_files_load() -> None:
    assert len(load_places(DEFAULT_GAZETTEER)) > 150
    assert len(load_actors(DEFAULT_ACTORS)) > 40


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("name,id\n", "header must be"),
        ("id,name,kind,country,lat,lon,aliases\nx,X,city,XX,north,1,\n", ":2: lat/lon: not a number"),
        ("id,name,kind,country,lat,lon,aliases\nx,X,city,XX,91,1,\n", ":2: lat/lon: out of range"),
        ("id,name,kind,country,lat,lon,aliases\nx,X,city\n", ":2: expected 7 fields"),
        ("# only a comment\n", "empty file"),
    ],
)
def test_gazetteer_errors_name_the_line(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "g.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(GazetteerError, match=message.replace("(", r"\(")):
        load_places(path)


def test_a_custom_gazetteer(tmp_path: Path) -> None:
    path = tmp_path / "g.csv"
    path.write_text("id,name,kind,country,lat,lon,aliases\nxx-atlantis,Atlantis,city,XX,1.5,2.5,Atlantida\n")
    ex = EntityExtractor.from_files(path)
    (e,) = ex.extract("Fighting reached Atlantida.")
    assert (e.id, e.name, e.lat, e.lon) == ("xx-atlantis", "Atlantis", 1.5, 2.5)
