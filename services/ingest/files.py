"""Read article files for ``herald ingest`` (pure: reads the given path, no network).

Formats, by extension (content is sniffed when the extension says nothing):

- ``.txt``/``.text``/``.md``: one article per file, first non-empty line is the title;
- ``.json``: one article object or a list of them;
- ``.jsonl``/``.ndjson``: one article object per line;
- ``.xml``/``.rss``/``.atom``/``.rdf``: an RSS or Atom document, one article per entry.

Every record says where it came from (``file:line``, or ``file: entry N`` for feeds) so the
summary can point at what was rejected.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from schemas.api import ArticleIn
from services.ingest.exceptions import FeedError
from services.ingest.feeds import parse_feed

TEXT_SUFFIXES = {".txt", ".text", ".md"}
JSON_SUFFIXES = {".json"}
JSONL_SUFFIXES = {".jsonl", ".ndjson"}
FEED_SUFFIXES = {".xml", ".rss", ".atom", ".rdf"}


@dataclass(frozen=True)
class Record:
    """One article read from a file, or the reason it could not be read."""

    where: str
    item: ArticleIn | None = None
    error: str | None = None


def describe(exc: ValidationError) -> str:
    """A one-line reason naming each bad field."""
    parts = []
    for err in exc.errors(include_url=False):
        field = ".".join(str(p) for p in err["loc"]) or "article"
        parts.append(f"{field}: {err['msg']}")
    return "; ".join(parts)


def _validate(where: str, data: Any) -> Record:
    if not isinstance(data, dict):
        return Record(where, error=f"expected a JSON object, got {type(data).__name__}")
    try:
        return Record(where, ArticleIn.model_validate(data))
    except ValidationError as exc:
        return Record(where, error=describe(exc))


def kind_of(path: Path, head: bytes) -> str:
    """``text``, ``json``, ``jsonl`` or ``feed``, from the extension or else the first bytes."""
    suffix = path.suffix.lower()
    for kind, suffixes in (
        ("text", TEXT_SUFFIXES),
        ("json", JSON_SUFFIXES),
        ("jsonl", JSONL_SUFFIXES),
        ("feed", FEED_SUFFIXES),
    ):
        if suffix in suffixes:
            return kind
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped.startswith(b"<"):
        return "feed"
    if stripped.startswith(b"["):
        return "json"
    if stripped.startswith(b"{"):
        return "jsonl"  # one object per line; a single pretty-printed object also parses as JSON below
    return "text"


def read_file(path: Path) -> Iterator[Record]:
    """Every record of one file; an unreadable file yields one error record."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        yield Record(str(path), error=f"cannot read: {exc.strerror or exc}")
        return
    kind = kind_of(path, data[:512])
    if kind == "feed":
        yield from _read_feed(path, data)
        return
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        yield Record(str(path), error=f"not UTF-8 text: {exc}")
        return
    if kind == "text":
        yield _read_text(path, text)
    elif kind == "json" or (kind == "jsonl" and _is_single_json(text)):
        yield from _read_json(path, text)
    else:
        yield from _read_jsonl(path, text)


def _is_single_json(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


def _read_text(path: Path, text: str) -> Record:
    lines = text.splitlines()
    for index, line in enumerate(lines):
        if line.strip():
            body = "\n".join(lines[index + 1 :]).strip()
            where = f"{path}:{index + 1}"
            if not body:
                return Record(where, error="no body after the title line")
            return _validate(where, {"title": line.strip(), "body": body})
    return Record(f"{path}:1", error="empty file")


def _read_jsonl(path: Path, text: str) -> Iterator[Record]:
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        try:
            data = json.loads(line)
        except ValueError as exc:
            yield Record(where, error=f"invalid JSON: {exc}")
            continue
        yield _validate(where, data)


def _read_json(path: Path, text: str) -> Iterator[Record]:
    """A JSON object or array; each array element is reported at the line where it starts."""
    decoder = json.JSONDecoder()
    position = _skip_space(text, 0)
    if position >= len(text):
        yield Record(f"{path}:1", error="empty file")
        return
    if text[position] != "[":
        try:
            data, _ = decoder.raw_decode(text, position)
        except ValueError as exc:
            yield Record(f"{path}:1", error=f"invalid JSON: {exc}")
            return
        yield _validate(f"{path}:{text.count(chr(10), 0, position) + 1}", data)
        return
    position = _skip_space(text, position + 1)
    while position < len(text) and text[position] != "]":
        line = text.count("\n", 0, position) + 1
        try:
            data, position = decoder.raw_decode(text, position)
        except ValueError as exc:
            yield Record(f"{path}:{line}", error=f"invalid JSON: {exc}; the rest of the file is skipped")
            return
        yield _validate(f"{path}:{line}", data)
        position = _skip_space(text, position)
        if position < len(text) and text[position] == ",":
            position = _skip_space(text, position + 1)


def _skip_space(text: str, position: int) -> int:
    while position < len(text) and text[position] in " \t\r\n":
        position += 1
    return position


def _read_feed(path: Path, data: bytes) -> Iterator[Record]:
    try:
        parsed = parse_feed(data)
    except FeedError as exc:
        yield Record(str(path), error=str(exc))
        return
    errors = dict(parsed.rejected)
    items = iter(parsed.items)
    for position in range(1, parsed.entries + 1):
        where = f"{path}: entry {position}"
        if position in errors:
            yield Record(where, error=errors[position])
        else:
            yield Record(where, next(items))
