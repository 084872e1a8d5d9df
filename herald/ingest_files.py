"""``herald ingest PATH...``: import article files through the ingest HTTP API.

Files go through ``POST /v1/articles`` of a running ingest service, so they take exactly the
path of every other article (limits, normalisation, duplicates, story ids, broker acks,
metrics) and the command needs no broker or Redis settings of its own. Articles are checked
locally first, so one bad line is reported with its position and does not spoil its batch.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import httpx

from services.ingest.files import Record, read_file

BATCH = 100
MAX_REJECTIONS_SHOWN = 50


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``herald ingest``."""
    parser.add_argument(
        "paths",
        nargs="+",
        type=Path,
        help="article files: .txt (first line is the title), .json, .jsonl, RSS/Atom (.xml, .rss, .atom, .rdf)",
    )
    parser.add_argument(
        "--url",
        default=os.environ.get("HERALD_INGEST_URL", "http://127.0.0.1:8001"),
        help="ingest service base URL (default: %(default)s)",
    )
    parser.add_argument(
        "--api-key",
        default=os.environ.get("HERALD_API_KEY"),
        help="bearer key, when ingest requires one (default: $HERALD_API_KEY)",
    )
    parser.add_argument("--batch", type=int, default=BATCH, help="articles per request (default: %(default)s)")
    parser.add_argument(
        "--retries", type=int, default=5, help="attempts per batch while the service answers 503 (default: %(default)s)"
    )
    parser.add_argument("--source", help="`source` of articles that do not name one")
    parser.add_argument("--quiet", action="store_true", help="no progress, only the summary")


@dataclass
class Summary:
    """What happened to every article read."""

    published: int = 0
    duplicates: int = 0
    rejected: list[tuple[str, str]] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    """Valid articles the service could not accept (broker or service down)."""

    @property
    def done(self) -> int:
        """Articles with a final outcome so far."""
        return self.published + self.duplicates + len(self.rejected) + len(self.failed)

    def render(self) -> str:
        """The summary printed at the end."""
        lines = [
            f"published {self.published}, duplicates {self.duplicates}, rejected {len(self.rejected)}"
            + (f", failed {len(self.failed)}" if self.failed else "")
        ]
        for where, reason in (self.rejected + self.failed)[:MAX_REJECTIONS_SHOWN]:
            lines.append(f"  {where}: {reason}")
        hidden = len(self.rejected) + len(self.failed) - MAX_REJECTIONS_SHOWN
        if hidden > 0:
            lines.append(f"  ... and {hidden} more")
        return "\n".join(lines)


class Progress:
    """A bar on a terminal, a plain counter line every 10% otherwise; nothing for small inputs."""

    def __init__(self, total: int, stream: TextIO, enabled: bool) -> None:
        self.total = total
        self.stream = stream
        self.enabled = enabled and total >= 200
        self.tty = stream.isatty()
        self._last_decile = -1

    def update(self, done: int) -> None:
        """Show that ``done`` of ``total`` articles have an outcome."""
        if not self.enabled:
            return
        if self.tty:
            width = 30
            filled = width * done // self.total
            self.stream.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{self.total} articles")
            self.stream.flush()
        else:
            decile = 10 * done // self.total
            if decile != self._last_decile:
                self._last_decile = decile
                self.stream.write(f"progress: {done}/{self.total} articles\n")
                self.stream.flush()

    def close(self) -> None:
        """End the bar's line."""
        if self.enabled and self.tty:
            self.stream.write("\n")
            self.stream.flush()


class Sender:
    """Posts batches, splitting on 413, dropping articles the service rejects (422), retrying 503."""

    def __init__(self, client: httpx.Client, url: str, retries: int, summary: Summary) -> None:
        self.client = client
        self.url = f"{url.rstrip('/')}/v1/articles"
        self.retries = retries
        self.summary = summary

    def send(self, batch: Sequence[Record]) -> None:
        """Post the batch and record the outcome of each of its articles."""
        if not batch:
            return
        payload = [r.item.model_dump(mode="json", exclude_none=True) for r in batch if r.item is not None]
        response = self._post(payload, batch)
        if response is None:
            return
        if response.status_code == 202:
            duplicates = set(response.json().get("duplicates", []))
            for article_id in response.json()["ids"]:
                if article_id in duplicates:
                    self.summary.duplicates += 1
                else:
                    self.summary.published += 1
        elif response.status_code == 413 and len(batch) > 1:
            middle = len(batch) // 2
            self.send(batch[:middle])
            self.send(batch[middle:])
        elif response.status_code == 422:
            bad = _rejected_positions(response.json(), len(batch))
            if not bad:  # an error we cannot pin on one article: reject the batch rather than loop
                bad = {i: response.text[:300] for i in range(len(batch))}
            for index, reason in sorted(bad.items()):
                self.summary.rejected.append((batch[index].where, reason))
            self.send([r for i, r in enumerate(batch) if i not in bad])
        else:
            for record in batch:
                self.summary.rejected.append((record.where, f"HTTP {response.status_code}: {response.text[:200]}"))

    def _post(self, payload: list[dict[str, Any]], batch: Sequence[Record]) -> httpx.Response | None:
        reason = ""
        for attempt in range(max(1, self.retries)):
            try:
                response = self.client.post(self.url, json=payload)
            except httpx.HTTPError as exc:
                reason = f"ingest service unreachable: {exc}"
                wait = 1.0
            else:
                if response.status_code != 503:
                    return response
                reason = f"service unavailable (HTTP 503): {response.text[:200]}"
                wait = float(response.headers.get("retry-after", "1") or 1)
            if attempt + 1 < self.retries:
                time.sleep(min(wait, 30.0))
        for record in batch:
            self.summary.failed.append((record.where, f"not published ({reason})"))
        return None


def _rejected_positions(body: Any, size: int) -> dict[int, str]:
    """Map the 422 errors of a batch to the index of the article each one names."""
    found: dict[int, str] = {}
    for error in body.get("detail", []) if isinstance(body, dict) else []:
        loc = error.get("loc", [])
        if len(loc) >= 2 and loc[0] == "body" and isinstance(loc[1], int) and 0 <= loc[1] < size:
            field_name = ".".join(str(p) for p in loc[2:]) or "article"
            reason = f"{field_name}: {error.get('msg', 'invalid')}"
            found[loc[1]] = f"{found[loc[1]]}; {reason}" if loc[1] in found else reason
    return found


def run(args: argparse.Namespace) -> int:
    """Import every file; print a summary; exit 1 if anything was rejected or not published."""
    summary = Summary()
    records: list[Record] = []
    for path in args.paths:
        for record in read_file(path):
            if record.item is None:
                summary.rejected.append((record.where, record.error or "unreadable"))
            elif args.source and record.item.source is None:
                records.append(Record(record.where, record.item.model_copy(update={"source": args.source})))
            else:
                records.append(record)
    progress = Progress(len(records) + len(summary.rejected), sys.stderr, not args.quiet)
    auth = {"Authorization": f"Bearer {args.api_key}"} if args.api_key else {}
    with httpx.Client(timeout=120, trust_env=False, headers=auth) as client:
        sender = Sender(client, args.url, args.retries, summary)
        for start in range(0, len(records), max(1, args.batch)):
            sender.send(records[start : start + max(1, args.batch)])
            progress.update(summary.done)
    progress.close()
    print(summary.render())
    return 0 if not (summary.rejected or summary.failed) else 1
