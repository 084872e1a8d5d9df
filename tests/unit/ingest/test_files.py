"""Reading article files: every format, with the position of each rejected article."""

from __future__ import annotations

import json
from pathlib import Path

from services.ingest.files import read_file

FEEDS = Path(__file__).parents[2] / "data" / "feeds"


def test_plain_text_first_line_is_the_title(tmp_path: Path) -> None:
    path = tmp_path / "story.txt"
    path.write_text("\n  Ceasefire agreed  \nBoth sides agreed to a ceasefire.\n\nTalks resume Monday.\n")
    (record,) = read_file(path)
    assert record.where == f"{path}:2" and record.item is not None
    assert (
        record.item.title == "Ceasefire agreed"
        and record.item.body == "Both sides agreed to a ceasefire.\n\nTalks resume Monday."
    )
    (path := tmp_path / "title-only.txt").write_text("Only a title\n")
    (bad,) = read_file(path)
    assert bad.item is None and bad.error == "no body after the title line"


def test_json_lines_report_line_numbers(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    path.write_text(
        json.dumps({"title": "one", "body": "b"})
        + "\n\n"
        + "{not json\n"
        + json.dumps({"title": "", "body": "b"})
        + "\n"
        + json.dumps([1])
        + "\n"
    )
    records = list(read_file(path))
    assert [r.where.rsplit(":", 1)[1] for r in records] == ["1", "3", "4", "5"]
    assert records[0].item is not None
    assert records[1].error is not None and records[1].error.startswith("invalid JSON")
    assert records[2].error is not None and records[2].error.startswith("title:")
    assert records[3].error == "expected a JSON object, got list"


def test_json_array_elements_are_located_by_line(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    path.write_text(
        '[\n  {"title": "one", "body": "b"},\n  {"title": "two"},\n  {"title": "three", "html": "<p>x</p>"}\n]'
    )
    records = list(read_file(path))
    assert [(r.where.rsplit(":", 1)[1], r.item is not None) for r in records] == [
        ("2", True),
        ("3", False),
        ("4", True),
    ]
    assert records[1].error is not None and "body or html is required" in records[1].error
    (single := tmp_path / "one.json").write_text('{"title": "t", "body": "b", "metadata": {"k": "v"}}')
    (only,) = read_file(single)
    assert only.item is not None and only.item.metadata == {"k": "v"}


def test_feed_files_and_sniffing(tmp_path: Path) -> None:
    records = list(read_file(FEEDS / "rss20.xml"))
    assert [r.item is not None for r in records] == [True, True, False]
    assert records[2].where.endswith("rss20.xml: entry 3")
    sniffed = tmp_path / "download"
    sniffed.write_bytes((FEEDS / "atom.xml").read_bytes())
    assert len([r for r in read_file(sniffed) if r.item]) == 2
    (jsonl := tmp_path / "noext").write_text('{"title": "a", "body": "b"}\n{"title": "c", "body": "d"}\n')
    assert len(list(read_file(jsonl))) == 2


def test_unreadable_and_undecodable_files(tmp_path: Path) -> None:
    (missing,) = read_file(tmp_path / "missing.jsonl")
    assert missing.error is not None and missing.error.startswith("cannot read")
    (binary := tmp_path / "b.txt").write_bytes(b"\xff\xfe\x00title\n")
    (bad,) = read_file(binary)
    assert bad.error is not None and "UTF-8" in bad.error
