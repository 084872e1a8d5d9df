"""``herald classify``: JSON Lines in and out, line-numbered errors, --eval figures."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from services.classify import cli


def run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    cli.add_arguments(parser)
    return cli.run(parser.parse_args(argv))


def write(tmp_path: Path, lines: list[str]) -> Path:
    path = tmp_path / "in.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


SWAP = {"id": "a1", "title": "Ukraine and Russia swap POWs", "body": "They exchanged 95 prisoners of war each."}
MARKETS = {"id": 7, "text": "The stock exchange rose as the exchange rate steadied."}


def test_classifies_json_lines(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, [json.dumps(SWAP), json.dumps(MARKETS)])
    assert run([str(path)]) == 0
    out = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [o["id"] for o in out] == ["a1", "7"]
    (tag,) = out[0]["topics"]
    assert tag["topic"] == "prisoner_exchange" and 0.5 <= tag["score"] <= 1
    assert tag["evidence"] and all(isinstance(e, str) and e for e in tag["evidence"])
    assert out[1]["topics"] == []
    assert set(out[0]) == {"id", "topics"}


def test_reads_standard_input(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps(SWAP) + "\n"))
    assert run([]) == 0
    assert json.loads(capsys.readouterr().out)["id"] == "a1"


def test_bad_lines_are_reported_by_number_and_the_rest_processed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = [
        json.dumps(SWAP),
        "{not json",
        json.dumps({"id": "x"}),
        "",
        json.dumps([1, 2]),
        json.dumps({"id": "", "text": "x"}),
        json.dumps({"id": "ok", "text": "Nothing happened."}),
    ]
    assert run([str(write(tmp_path, lines))]) == 1
    captured = capsys.readouterr()
    assert [json.loads(line)["id"] for line in captured.out.splitlines()] == ["a1", "ok"]
    errors = captured.err.splitlines()
    assert errors[0].startswith("herald classify: line 2: not valid JSON")
    assert errors[1].startswith("herald classify: line 3: needs")
    assert errors[2].startswith("herald classify: line 5: expected a JSON object")
    assert errors[3].startswith('herald classify: line 6: "id"')
    assert len(errors) == 4


def test_entities_and_explain_on_request(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = {"id": "k", "text": "Russian missiles struck Kharkiv overnight."}
    assert run([str(write(tmp_path, [json.dumps(doc)])), "--entities", "--explain"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert {"kind": "place", "id": "ua-kharkiv", "name": "Kharkiv", "lat": 49.993, "lon": 36.23} in out["entities"]
    explained = {e["topic"]: e for e in out["explain"]}
    assert explained["airstrike_shelling"]["hits"][0]["tier"] == "strong"


def test_eval_prints_per_topic_figures_and_macro_f1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lines = [
        json.dumps({**SWAP, "labels": ["prisoner_exchange"]}),
        json.dumps({**MARKETS, "labels": []}),
        json.dumps({"id": "m", "text": "Russian missiles struck Kharkiv overnight.", "labels": ["evacuation"]}),
    ]
    assert run(["--eval", str(write(tmp_path, lines)), "--errors"]) == 0
    out = capsys.readouterr().out
    rows = {line.split()[0]: line.split()[1:] for line in out.splitlines() if line.strip()}
    assert rows["prisoner_exchange"][:3] == ["1.000", "1.000", "1.000"]
    assert rows["evacuation"][:3] == ["0.000", "0.000", "0.000"]
    assert "macro-F1" in rows
    assert "m\tmissed: evacuation\textra: airstrike_shelling" in out


def test_eval_json_and_fail_under(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, [json.dumps({**SWAP, "labels": ["evacuation"]})])
    assert run(["--eval", str(path), "--json", "--fail-under", "0.9"]) == 1
    captured = capsys.readouterr()
    figures = json.loads(captured.out)
    assert figures["items"] == 1 and figures["topics"]["evacuation"]["fn"] == 1
    assert "below 0.9" in captured.err


def test_eval_rejects_unknown_or_missing_labels(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, [json.dumps({**SWAP, "labels": ["piracy"]}), json.dumps(SWAP)])
    assert run(["--eval", str(path)]) == 1
    err = capsys.readouterr().err
    assert "line 1: unknown label(s): piracy" in err
    assert 'line 2: "labels" must be a list' in err


def test_a_bad_taxonomy_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "t.toml"
    bad.write_text('[topics.ab]\nstrong = ["(x"]\n')
    assert run(["--taxonomy", str(bad), str(write(tmp_path, [json.dumps(SWAP)]))]) == 2
    assert f"{bad}:2: topics.ab.strong[0]" in capsys.readouterr().err


def test_a_missing_input_file_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run([str(tmp_path / "nope.jsonl")]) == 2
    assert "No such file" in capsys.readouterr().err
