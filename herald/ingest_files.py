"""``herald ingest FILE...``: send article files to the ingest API in batches."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

import httpx

BATCH = 100


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``herald ingest``."""
    parser.add_argument("paths", nargs="+", type=Path, help="JSON or JSON Lines files of articles")
    parser.add_argument(
        "--url",
        default=os.environ.get("HERALD_INGEST_URL", "http://127.0.0.1:8001"),
        help="ingest service base URL (default: %(default)s)",
    )


def _read(path: Path) -> list[dict[str, Any]]:
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".json":
        data = json.loads(text)
        return data if isinstance(data, list) else [data]
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def run(args: argparse.Namespace) -> int:
    """Post every article; print a summary; non-zero exit if anything was rejected."""
    published = rejected = 0
    for path in args.paths:
        try:
            items = _read(path)
        except (OSError, ValueError) as exc:
            print(f"error: {path}: {exc}", file=sys.stderr)
            rejected += 1
            continue
        for start in range(0, len(items), BATCH):
            batch = items[start : start + BATCH]
            response = httpx.post(f"{args.url}/v1/articles", json=batch, timeout=60)
            if response.status_code == 202:
                published += len(batch)
            else:
                rejected += len(batch)
                print(
                    f"error: {path} items {start + 1}-{start + len(batch)}: {response.status_code} "
                    f"{response.text[:300]}",
                    file=sys.stderr,
                )
    print(f"published {published}, rejected {rejected}")
    return 0 if rejected == 0 else 1
