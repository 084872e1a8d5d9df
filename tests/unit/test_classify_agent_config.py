"""The classify worker loads the operator's taxonomy file when one is configured."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.classify.agent import load_classifier
from services.classify.classifier import DEFAULT_TAXONOMY
from services.runtime.settings import Settings


def test_shipped_taxonomy_by_default() -> None:
    assert "prisoner_exchange" in load_classifier(Settings()).topic_ids


def test_operator_taxonomy_adds_a_topic(tmp_path: Path) -> None:
    custom = tmp_path / "taxonomy.toml"
    custom.write_text(
        DEFAULT_TAXONOMY.read_text(encoding="utf-8")
        + '\n[topics.cyber_attack]\nlabel = "Cyber attacks"\ndescription = "Hackers disable systems."\n'
        'threshold = 0.5\nstrong = ["(ransomware|cyber) attack* ~4 (hit|disabled|crippled|paralysed)"]\n',
        encoding="utf-8",
    )
    classifier = load_classifier(Settings(classify_taxonomy_file=str(custom)))
    assert "cyber_attack" in classifier.topic_ids
    tags = classifier.classify("Ransomware attack cripples port systems", "A ransomware attack crippled the port.")
    assert "cyber_attack" in {t.topic for t in tags.topics}


def test_a_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(Exception, match=r"nope\.toml"):
        load_classifier(Settings(classify_taxonomy_file=str(tmp_path / "nope.toml")))
