"""POST /v1/articles against a real broker and Redis: acks, duplicates, stories, limits."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from services.ingest.api import create_app
from services.runtime.kafka import ensure_topics
from services.runtime.settings import Settings
from tests.integration.ingest.helpers import read_topic

pytestmark = pytest.mark.integration

WIRE = (
    "Ukraine and Russia exchanged 90 prisoners of war on Saturday in a swap brokered by the United Arab "
    "Emirates, officials on both sides said. The freed Ukrainian soldiers were taken by bus to a hospital "
    "in the north of the country for medical checks, the coordination headquarters said in a statement. "
    "It was the third exchange this month and brings the number of prisoners returned this year to more "
    "than four hundred, according to the ombudsman, who thanked the mediators for their work."
)


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    ensure_topics(settings, (settings.topic_articles_raw,))
    app = create_app(settings.model_copy(update={"ingest_feeds_enabled": False, "ingest_max_batch": 5}))
    with TestClient(app) as c:
        yield c


def test_accepted_articles_are_in_kafka_and_exact_duplicates_are_not_republished(
    client: TestClient, settings: Settings
) -> None:
    batch = [
        {"title": "Swap", "body": WIRE, "url": "https://wire.example/swap?utm_source=rss", "source": "Wire"},
        {"title": "Other", "html": "<p>Aid convoy reached the city.</p><script>x()</script>", "language": "en-GB"},
    ]
    first = client.post("/v1/articles", json=batch)
    assert first.status_code == 202, first.text
    ids = first.json()["ids"]
    assert len(ids) == 2 and first.json()["duplicates"] == []

    again = client.post("/v1/articles", json={**batch[0], "url": "https://WIRE.example/swap"})
    assert again.status_code == 202
    assert again.json()["ids"] == [ids[0]] and again.json()["duplicates"] == [ids[0]]

    stored = read_topic(settings, at_least=2)
    assert sorted(a.id for a in stored) == sorted(ids), "duplicate was published again or an article is missing"
    by_id = {a.id: a for a in stored}
    assert by_id[ids[0]].url == "https://wire.example/swap" and by_id[ids[0]].language == "en"
    assert by_id[ids[1]].body == "Aid convoy reached the city." and by_id[ids[1]].language == "en"


def test_near_duplicates_share_the_story_id(client: TestClient, settings: Settings) -> None:
    original = {"title": "Ukraine, Russia swap 90 POWs", "body": WIRE, "url": "https://a.example/1"}
    republished = {
        "title": "Kyiv and Moscow trade prisoners in UAE-brokered deal",
        "body": "KYIV (Other Outlet) - " + WIRE.rsplit(" It was", 1)[0] + " Reporting by the newsroom.",
        "url": "https://b.example/story/2",
    }
    unrelated = {
        "title": "Floods",
        "body": "Heavy rain flooded the river valley and rescuers moved two hundred families to schools on "
        "higher ground, the regional governor said on Tuesday evening after visiting the area.",
    }
    first = client.post("/v1/articles", json=original).json()
    rest = client.post("/v1/articles", json=[republished, unrelated]).json()
    assert rest["duplicates"] == []
    assert rest["story_ids"][0] == first["ids"][0], "republished wire story did not get the original's story id"
    assert rest["story_ids"][1] == rest["ids"][1]
    stored = {a.id: a for a in read_topic(settings, at_least=3)}
    assert stored[rest["ids"][0]].story_id == first["ids"][0]
    assert stored[rest["ids"][1]].story_id == rest["ids"][1]


def test_validation_names_the_field_and_limits_answer_413(client: TestClient, settings: Settings) -> None:
    bad = client.post("/v1/articles", json=[{"title": "ok", "body": "b"}, {"title": "", "body": "b", "url": "ftp://x"}])
    assert bad.status_code == 422
    locs = {tuple(e["loc"]) for e in bad.json()["detail"]}
    assert ("body", 1, "title") in locs and ("body", 1, "url") in locs
    empty = client.post("/v1/articles", json={"title": "t", "html": "<script>only()</script>"})
    assert empty.status_code == 422 and empty.json()["detail"][0]["loc"] == ["body", "html"]
    unknown = client.post("/v1/articles", json={"title": "t", "body": "b", "colour": "red"})
    assert unknown.status_code == 422 and unknown.json()["detail"][0]["loc"] == ["body", "colour"]
    meta = client.post("/v1/articles", json={"title": "t", "body": "b", "metadata": {"desk": "europe"}})
    assert meta.status_code == 202

    too_many = client.post("/v1/articles", json=[{"title": f"t{i}", "body": "b"} for i in range(6)])
    assert too_many.status_code == 413
    huge = client.post("/v1/articles", json={"title": "t", "body": "x" * (settings.ingest_max_body_bytes + 10)})
    assert huge.status_code == 413
    assert len(read_topic(settings, at_least=1)) == 1, "a refused request published something"


def test_near_duplicates_within_one_batch(client: TestClient, settings: Settings) -> None:
    copy = WIRE.replace("Saturday", "Sunday").replace("ninety", "90")
    batch = [
        {"title": "Prisoner swap", "body": WIRE},
        {"title": "POWs freed in exchange", "body": "(Agency) " + copy + " More to follow."},
    ]
    answer = client.post("/v1/articles", json=batch).json()
    assert answer["duplicates"] == [] and answer["ids"][0] != answer["ids"][1]
    assert answer["story_ids"] == [answer["ids"][0], answer["ids"][0]]
    assert 'herald_ingest_articles_near_duplicate_total{via="api"} 1.0' in client.get("/metrics").text
