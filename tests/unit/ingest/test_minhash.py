"""MinHash sketches: republished copies score high, different stories low, keys are stable."""

from __future__ import annotations

from services.ingest import minhash
from services.ingest.dedupe import best_match

STORY = (
    "Ukraine and Russia exchanged 90 prisoners of war on Saturday in a swap brokered by the United Arab Emirates, "
    "officials on both sides said. The freed soldiers were taken by bus to a hospital in the north of the country "
    "for medical checks, the coordination headquarters said in a statement. It was the third exchange this month "
    "and brings the number of prisoners returned this year to more than four hundred, the ombudsman said."
)
OTHER = (
    "Heavy rain flooded the river valley overnight and rescuers moved two hundred families to schools on higher "
    "ground, the regional governor said on Tuesday after visiting the area. Roads to three villages remain closed "
    "and the weather service expects more rain until the end of the week, when the river should start to fall."
)


def sketch(text: str) -> minhash.Sketch:
    found = minhash.sketch(text)
    assert found is not None
    return found


def test_republished_copy_is_contained_and_shares_a_band() -> None:
    original = sketch("Swap of 90 POWs\n" + STORY)
    trimmed = sketch("KYIV (Agency) - Sides trade prisoners\n" + STORY.rsplit(" It was", 1)[0] + " Reporting by X.")
    assert minhash.containment(original, trimmed) >= 0.6
    assert set(minhash.band_keys(original)) & set(minhash.band_keys(trimmed))


def test_different_stories_score_low() -> None:
    assert minhash.containment(sketch(STORY), sketch(OTHER)) < 0.2
    assert not set(minhash.band_keys(sketch(STORY))) & set(minhash.band_keys(sketch(OTHER)))


def test_identical_text_and_case_and_punctuation_do_not_matter() -> None:
    assert minhash.jaccard(sketch(STORY), sketch(STORY.upper().replace(",", ""))) == 1.0


def test_short_texts_get_no_sketch() -> None:
    assert minhash.sketch("Breaking: explosions heard") is None


def test_pack_round_trip_and_stable_values() -> None:
    item = sketch(STORY)
    assert minhash.unpack(minhash.pack(item)) == item
    # Signatures must agree across processes and releases: no use of Python's salted hash().
    assert minhash.band_keys(item) == minhash.band_keys(sketch(STORY))
    assert len(minhash.band_keys(item)) == minhash.BANDS


def test_best_match_prefers_the_closest_candidate_above_threshold() -> None:
    original = sketch(STORY)
    assert best_match(original, [("s_other", sketch(OTHER)), ("s_story", original)], 0.6) == ("s_story", 1.0)
    assert best_match(original, [("s_other", sketch(OTHER))], 0.6) is None
