"""The taxonomy pattern language: what each construct matches, and the errors it reports."""

from __future__ import annotations

import re

import pytest

from services.classify.exceptions import PatternError
from services.classify.patterns import anchored, first_literals, last_literals


def found(pattern: str, text: str) -> list[str]:
    return [m.group() for m in re.finditer(anchored(pattern), text, re.IGNORECASE)]


@pytest.mark.parametrize(
    ("pattern", "text", "expected"),
    [
        ("evacuat*", "They evacuated 300 people", ["evacuated"]),
        ("evacuat*", "the Evacuation began", ["Evacuation"]),
        ("cease-fire", "a ceasefire, a cease-fire and a cease fire", ["ceasefire", "cease-fire", "cease fire"]),
        ("prisoners (were|have been)? released", "prisoners released", ["prisoners released"]),
        ("prisoners (were|have been)? released", "prisoners have been released", ["prisoners have been released"]),
        ("swap* ~3 prisoner*", "swapped 90 Ukrainian prisoners", ["swapped 90 Ukrainian prisoners"]),
        ("swap* ~3 prisoner*", "swapped the four hundred or so prisoners", []),
        ("more than # fighters", "more than 260 fighters", ["more than 260 fighters"]),
        ("more than # fighters", "more than sixty fighters", ["more than sixty fighters"]),
        ("fall of CAP", "the fall of Bakhmut", ["fall of Bakhmut"]),
        ("fall of CAP", "the fall of prices", []),
        ("civilians? killed", "a civilian killed; civilians killed", ["civilian killed", "civilians killed"]),
        ("(did|was)( not|n't) happen", "it didn't happen; it did not happen", ["didn't happen", "did not happen"]),
        ("(re)?captur*", "recaptured and captured", ["recaptured", "captured"]),
        ("hospitali[sz]ed", "hospitalised or hospitalized", ["hospitalised", "hospitalized"]),
        ("x ~2 (y)? z", "x z, x q z, x q y z", ["x z", "x q z", "x q y z"]),
        # A space at the end of a choice is a separator after it, as one at the start is before it.
        (
            "took (control of )?(the )?town",
            "took the town; took town; took control of the town",
            ["took the town", "took town", "took control of the town"],
        ),
        ("in (early |late )?20[0123456789][0123456789]", "in 2016, in early 2024", ["in 2016", "in early 2024"]),
        (
            "fled (the )?~1 fighting",
            "fled fighting; fled the fighting; fled the heavy fighting",
            ["fled fighting", "fled the fighting", "fled the heavy fighting"],
        ),
        ("shell", "shelling", []),
        ("перемир*", "перемир'я оголосили", ["перемир'я"]),
        ("re:\\bgaza\\b", "in Gaza today", ["Gaza"]),
    ],
)
def test_pattern_matches(pattern: str, text: str, expected: list[str]) -> None:
    assert found(pattern, text) == expected


def test_a_separator_never_crosses_a_sentence_end() -> None:
    assert found("exchange* ~3 prisoner*", "They exchanged views. Prisoners were moved.") == []


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        ("(a|b", "missing ')'"),
        ("", "empty pattern"),
        ("~3 x", "cannot start"),
        ("x ~3", "cannot end"),
        ("x ~20 y", "1 to 12"),
        ("(a|)", "empty choice"),
        ("re:(", "invalid regular expression"),
        ("a [ b", "unclosed"),
    ],
)
def test_bad_patterns_are_reported(pattern: str, message: str) -> None:
    with pytest.raises(PatternError, match=re.escape(message)):
        anchored(pattern)


def test_first_and_last_literals_drive_the_index() -> None:
    assert first_literals("(missile*|rocket*) ~3 hit") == {"missile", "rocket"}
    assert first_literals("(the)? cease-fire") == {"the", "cease"}
    assert first_literals("civilians? killed") == {"civilian"}
    assert first_literals("CAP fell") is None
    assert first_literals("re:abc") is None
    assert last_literals("civilians? ~5 (killed|dead)") == {"killed", "dead"}
    assert last_literals("x (y)?") is None
    assert last_literals("fall of CAP") is None
