"""The language guesser: the supported languages, and no guess without evidence."""

from __future__ import annotations

import pytest

from services.ingest.language import detect_language, normalize_language


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("The two sides said that the talks were held in Geneva and will resume after the holiday.", "en"),
        ("Les autorités ont évacué les habitants de la ville, selon la préfecture, qui a ouvert un gymnase.", "fr"),
        ("Die Konfliktparteien haben sich auf eine Waffenruhe geeinigt, die am Montag in Kraft treten soll.", "de"),
        ("Las autoridades evacuaron a los vecinos de la ciudad, según el gobierno, que abrió un refugio.", "es"),
        ("Україна та Росія провели обмін полоненими, який став можливим після переговорів, повідомили у штабі.", "uk"),
        ("Россия и Украина провели обмен пленными, который стал возможным после переговоров, сообщили в штабе.", "ru"),
        ("أعلنت السلطات إجلاء مئات السكان من المدينة بعد القصف المكثف خلال الليل", "ar"),
    ],
)
def test_detects_supported_languages(text: str, language: str) -> None:
    assert detect_language(text) == language


@pytest.mark.parametrize("text", ["", "12345 !!!", "OK", "東京で会議が開かれた", "Xyzzy plugh quux"])
def test_no_guess_without_evidence(text: str) -> None:
    assert detect_language(text) is None


@pytest.mark.parametrize(("tag", "code"), [("en-US", "en"), ("pt_BR", "pt"), (" FR ", "fr"), ("", None), (None, None)])
def test_normalize_language(tag: str | None, code: str | None) -> None:
    assert normalize_language(tag) == code
