"""``herald ingest`` of every file format through a running ingest API (real broker and Redis)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from herald.cli import build_parser
from herald.local import free_port
from services.ingest.api import create_app
from services.runtime.kafka import ensure_topics
from services.runtime.settings import Settings
from tests.integration.ingest.helpers import ServiceThread, read_topic

pytestmark = pytest.mark.integration

FEEDS = Path(__file__).parents[2] / "data" / "feeds"


@pytest.fixture
def service(settings: Settings) -> Iterator[ServiceThread]:
    ensure_topics(settings, (settings.topic_articles_raw,))
    running = ServiceThread(create_app(settings.model_copy(update={"ingest_feeds_enabled": False})), free_port())
    yield running
    running.stop()


def ingest(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    args = build_parser().parse_args(["ingest", *argv])
    code = args.func(args)
    return code, capsys.readouterr().out


def test_every_format_with_a_summary(
    service: ServiceThread, settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = tmp_path / "statement.txt"
    text.write_text("Ceasefire talks to resume\nMediators said both delegations will return to Doha on Monday.\n")
    jsonl = tmp_path / "batch.jsonl"
    jsonl.write_text(
        "\n".join(
            [
                json.dumps({"title": "Convoy arrives", "body": "Aid trucks reached the town.", "source": "Wire"}),
                json.dumps({"title": "No text", "html": "<script>x()</script>"}),
                "{broken",
                json.dumps({"title": "Convoy arrives", "body": "Aid trucks reached the town.", "source": "Wire"}),
            ]
        )
    )
    array = tmp_path / "list.json"
    array.write_text(json.dumps([{"title": "Array one", "body": "First."}, {"title": "Array two", "body": "Second."}]))
    code, out = ingest(
        capsys,
        str(text),
        str(jsonl),
        str(array),
        str(FEEDS / "rss20.xml"),
        str(FEEDS / "atom.xml"),
        "--url",
        service.url,
        "--batch",
        "3",
        "--source",
        "Desk",
    )
    assert code == 1  # something was rejected
    assert out.splitlines()[0] == "published 8, duplicates 1, rejected 3", out
    assert f"{jsonl}:2: html: no text after cleaning" in out
    assert f"{jsonl}:3: invalid JSON" in out
    assert f"{FEEDS / 'rss20.xml'}: entry 3: entry has neither a title nor any text" in out
    articles = read_topic(settings, at_least=8)
    assert len(articles) == 8
    by_title = {a.title: a for a in articles}
    assert by_title["Ceasefire talks to resume"].source == "Desk" and by_title["Convoy arrives"].source == "Wire"

    code, out = ingest(capsys, str(array), "--url", service.url)
    assert code == 0 and out.splitlines()[0] == "published 0, duplicates 2, rejected 0"


def test_unavailable_service_reports_failed_articles(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "a.jsonl"
    path.write_text(json.dumps({"title": "t", "body": "b"}) + "\n")
    code, out = ingest(capsys, str(path), "--url", f"http://127.0.0.1:{free_port()}", "--retries", "1")
    assert code == 1
    assert out.splitlines()[0] == "published 0, duplicates 0, rejected 0, failed 1"
    assert f"{path}:1: not published (ingest service unreachable" in out
