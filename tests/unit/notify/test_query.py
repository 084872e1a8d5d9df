"""Keyword queries: words, phrases, AND/OR/NOT, prefixes, and clear syntax errors."""

from __future__ import annotations

import pytest

from services.notify.exceptions import QuerySyntaxError
from services.notify.query import Document, parse

TEXT = "Ukraine and Russia exchanged 90 Prisoners of War on Saturday; talks on a cease-fire continue."


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("ukraine", True),
        ("UKRAINE", True),
        ("poland", False),
        ('"prisoners of war"', True),
        ('"prisoners war"', False),
        ("ukraine russia", True),
        ("ukraine AND poland", False),
        ("ukraine OR poland", True),
        ("poland OR belarus", False),
        ("ukraine NOT russia", False),
        ("ukraine -poland", True),
        ("(poland OR russia) AND exchang*", True),
        ("evacuat*", False),
        ("cease-fire", True),
        ('"cease fire" AND NOT (drill OR exercise)', True),
        ("NOT poland", True),
    ],
)
def test_queries(query: str, expected: bool) -> None:
    assert parse(query).test(Document.of(TEXT)) is expected


@pytest.mark.parametrize(
    ("query", "says"),
    [
        ('"unbalanced', "quote"),
        ("(ukraine OR russia", "parenthesis"),
        ("ukraine AND", "ends"),
        ("OR ukraine", "unexpected"),
        ("ukraine )", "unexpected"),
        ("   ", "empty"),
        ("***", "letters"),
    ],
)
def test_syntax_errors_say_what_is_wrong(query: str, says: str) -> None:
    with pytest.raises(QuerySyntaxError, match=says):
        parse(query)


def test_too_many_terms_refused() -> None:
    with pytest.raises(QuerySyntaxError, match="terms"):
        parse(" OR ".join(f"w{i}" for i in range(100)))
