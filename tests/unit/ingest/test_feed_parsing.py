"""RSS 0.91, RSS 1.0, RSS 2.0 and Atom documents (written for the tests) become articles."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from services.ingest.exceptions import FeedError
from services.ingest.feeds import FeedDefaults, parse_feed
from services.ingest.normalize import normalize

FEEDS = Path(__file__).parents[2] / "data" / "feeds"


def parse(name: str, defaults: FeedDefaults | None = None):  # type: ignore[no-untyped-def]
    return parse_feed((FEEDS / name).read_bytes(), defaults)


def test_rss_091_headline_only_entries_use_the_title() -> None:
    feed = parse("rss091.xml")
    assert feed.title == "Valley Courier" and not feed.rejected
    bridge, roof = (normalize(i) for i in feed.items)
    assert bridge.url == "https://courier.test.herald.example/news/bridge-reopens"
    assert bridge.body.startswith("The old stone bridge") and bridge.language == "en"
    assert roof.body == "Market hall to get new roof" and roof.source == "Valley Courier"


def test_rss_10_rdf_with_dublin_core() -> None:
    (item,) = parse("rss10.rdf").items
    article = normalize(item)
    assert article.title == "Des habitants évacués après les crues" and article.language == "fr"
    assert article.published_at == datetime(2026, 11, 28, 7, 30, tzinfo=UTC)
    assert article.metadata == {"author": "Rédaction"}


def test_rss_20_content_encoded_is_cleaned_and_empty_entries_are_rejected() -> None:
    feed = parse("rss20.xml", FeedDefaults(feed_id="f_1", source="Configured Source"))
    assert [position for position, _ in feed.rejected] == [3] and feed.entries == 3
    swap, aid = (normalize(i) for i in feed.items)
    assert swap.body == (
        "The two armies exchanged 40 prisoners of war on Sunday in a deal mediated by Turkey, officials said.\n\n"
        "The released soldiers crossed at a checkpoint near the border & were taken to hospital."
    )
    assert swap.source == "Configured Source" and swap.metadata == {"feed_id": "f_1"}
    assert swap.published_at == datetime(2026, 11, 29, 10, 0, tzinfo=UTC) and swap.language == "en"
    assert aid.body == "Twelve trucks carrying food, water and medicine reached the town on Sunday."


def test_atom_html_title_and_content() -> None:
    first, second = (normalize(i) for i in parse("atom.xml").items)
    assert first.title == "Waffenruhe vereinbart" and first.language == "de"
    assert first.body.endswith("Die Gespräche wurden in Genf geführt.")
    assert first.published_at == datetime(2026, 11, 29, 7, 15, tzinfo=UTC)
    assert first.metadata["author"] == "Nachrichtenredaktion"
    assert second.published_at == datetime(2026, 11, 29, 7, 0, tzinfo=UTC)


@pytest.mark.parametrize("content", [b"<html><body>not a feed</body></html>", b"", b'{"json": true}'])
def test_documents_that_are_not_feeds_are_a_parse_error(content: bytes) -> None:
    with pytest.raises(FeedError) as caught:
        parse_feed(content)
    assert caught.value.outcome == "parse_error"
