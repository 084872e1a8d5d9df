"""``herald classify``: tag JSON Lines articles offline, or score a labelled set with ``--eval``.

Input lines are ``{"id", "text"}`` or ``{"id", "title", "body"}``; output is one JSON
line per input, ``{"id", "topics": [{"topic", "score", "evidence"}]}``. A bad line gets
an error on stderr naming its number; the rest are still processed and the exit code
is 1 at the end.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from services.classify.classifier import DEFAULT_TAXONOMY, Classifier
from services.classify.evaluate import Evaluation
from services.classify.exceptions import ClassifyError, InputError

PROG = "herald classify"


@dataclass(frozen=True, slots=True)
class Record:
    """One input line, validated."""

    line: int
    id: str
    title: str
    body: str
    labels: tuple[str, ...] | None


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the ``herald classify`` options to a parser."""
    parser.add_argument(
        "file", nargs="?", default="-", metavar="FILE|-", help="JSON Lines to classify (default: standard input)"
    )
    parser.add_argument(
        "--eval",
        dest="eval_file",
        metavar="FILE",
        help='score a labelled JSON Lines file ("labels": [...]) and print precision/recall/F1 per topic',
    )
    parser.add_argument("--taxonomy", metavar="PATH", type=Path, help="taxonomy TOML (default: the shipped one)")
    parser.add_argument("--gazetteer", metavar="PATH", type=Path, help="gazetteer CSV (default: the shipped one)")
    parser.add_argument("--actors", metavar="PATH", type=Path, help="actors CSV (default: the shipped one)")
    parser.add_argument("--entities", action="store_true", help="also output the places and actors found")
    parser.add_argument("--explain", action="store_true", help="also output every pattern hit of every topic")
    parser.add_argument("--json", dest="as_json", action="store_true", help="with --eval: print the figures as JSON")
    parser.add_argument("--errors", action="store_true", help="with --eval: list the items that were not exact matches")
    parser.add_argument(
        "--fail-under", type=float, metavar="F1", help="with --eval: exit 1 if macro-F1 is below this value"
    )


def _error(line: int, message: str) -> None:
    print(f"{PROG}: line {line}: {message}", file=sys.stderr)


def parse_record(line_no: int, raw: str, topics: tuple[str, ...], need_labels: bool) -> Record:
    """Validate one JSON line; InputError says what is wrong with it."""
    try:
        obj: Any = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise InputError(f"not valid JSON: {exc.msg} (column {exc.colno})") from exc
    if not isinstance(obj, dict):
        raise InputError("expected a JSON object")
    rid = obj.get("id")
    if isinstance(rid, bool) or not isinstance(rid, str | int) or rid == "":
        raise InputError('"id" must be a non-empty string or an integer')
    if "text" in obj:
        text = obj["text"]
        if not isinstance(text, str):
            raise InputError('"text" must be a string')
        title, body = "", text
    elif "title" in obj or "body" in obj:
        title, body = obj.get("title", ""), obj.get("body", "")
        if not isinstance(title, str) or not isinstance(body, str):
            raise InputError('"title" and "body" must be strings')
    else:
        raise InputError('needs "text", or "title" and "body"')
    if not (title.strip() or body.strip()):
        raise InputError("the text is empty")
    labels: tuple[str, ...] | None = None
    if need_labels:
        raw_labels = obj.get("labels")
        if not isinstance(raw_labels, list) or not all(isinstance(x, str) for x in raw_labels):
            raise InputError('"labels" must be a list of topic ids')
        unknown = sorted(set(raw_labels) - set(topics))
        if unknown:
            raise InputError(f"unknown label(s): {', '.join(unknown)}")
        labels = tuple(raw_labels)
    return Record(line_no, str(rid), title, body, labels)


def _lines(path: str) -> Iterator[tuple[int, str]]:
    stream: IO[str]
    if path == "-":
        stream = sys.stdin
        for n, line in enumerate(stream, 1):
            yield n, line
        return
    with open(path, encoding="utf-8") as stream:
        for n, line in enumerate(stream, 1):
            yield n, line


def _records(path: str, topics: tuple[str, ...], need_labels: bool) -> Iterator[Record | None]:
    """Valid records; None (after printing an error) for each bad line."""
    for n, line in _lines(path):
        if not line.strip():
            continue
        try:
            yield parse_record(n, line, topics, need_labels)
        except InputError as exc:
            _error(n, str(exc))
            yield None


def run(args: argparse.Namespace) -> int:
    """Run ``herald classify``; returns the exit code."""
    try:
        if args.taxonomy or args.gazetteer or args.actors:
            classifier = Classifier.from_files(args.taxonomy or DEFAULT_TAXONOMY, args.gazetteer, args.actors)
        else:
            classifier = Classifier.default()
    except ClassifyError as exc:
        print(f"{PROG}: {exc}", file=sys.stderr)
        return 2
    try:
        if args.eval_file:
            return _evaluate(classifier, args)
        return _classify(classifier, args)
    except BrokenPipeError:
        # The reader went away (``| head``): stop quietly, as Unix tools do.
        sys.stderr.close()
        return 1
    except OSError as exc:
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"{PROG}: {where}{exc.strerror or exc}", file=sys.stderr)
        return 2


def _classify(classifier: Classifier, args: argparse.Namespace) -> int:
    bad = 0
    out = sys.stdout
    for rec in _records(args.file, classifier.topic_ids, need_labels=False):
        if rec is None:
            bad += 1
            continue
        result = classifier.classify(rec.title, rec.body)
        doc: dict[str, Any] = {
            "id": rec.id,
            "topics": [{"topic": t.topic, "score": t.score, "evidence": list(t.evidence)} for t in result.topics],
        }
        if args.entities:
            doc["entities"] = [e.model_dump(exclude={"schema_version"}, exclude_none=True) for e in result.entities]
        if args.explain:
            doc["explain"] = _explain(classifier, rec)
        out.write(json.dumps(doc, ensure_ascii=False) + "\n")
    out.flush()
    return 1 if bad else 0


def _explain(classifier: Classifier, rec: Record) -> list[dict[str, Any]]:
    return [
        {
            "topic": s.topic,
            "score": round(s.score, 4),
            "threshold": s.threshold,
            "hits": [
                {"phrase": h.phrase, "pattern": h.pattern, "tier": h.tier, "weight": round(h.weight, 3), "note": h.note}
                for h in s.hits
            ],
        }
        for s in classifier.score(rec.title, rec.body)
        if s.hits
    ]


def _evaluate(classifier: Classifier, args: argparse.Namespace) -> int:
    ev = Evaluation(topics=classifier.topic_ids)
    bad = 0
    for rec in _records(args.eval_file, classifier.topic_ids, need_labels=True):
        if rec is None:
            bad += 1
            continue
        assert rec.labels is not None
        predicted = [t.topic for t in classifier.classify(rec.title, rec.body).topics]
        ev.add(rec.id, rec.labels, predicted)
    if args.as_json:
        print(json.dumps(ev.as_dict(), indent=2))
    else:
        print(ev.table())
    if args.errors:
        for item_id, gold, pred in ev.errors:
            missed = ",".join(sorted(set(gold) - set(pred))) or "-"
            extra = ",".join(sorted(set(pred) - set(gold))) or "-"
            print(f"{item_id}\tmissed: {missed}\textra: {extra}")
    if bad:
        return 1
    if args.fail_under is not None and ev.macro_f1 < args.fail_under:
        print(f"{PROG}: macro-F1 {ev.macro_f1:.3f} is below {args.fail_under}", file=sys.stderr)
        return 1
    return 0
