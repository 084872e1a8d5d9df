"""Negation, hedging, background and side mentions, headline weight, long articles, spelling, languages."""

from __future__ import annotations

import pytest

from services.classify.classifier import Classifier
from tests.unit.classify.conftest import topics_of

FILLER = (
    "The city council met on Tuesday to discuss the budget for parks and libraries. "
    "Officials said bus fares would stay the same next year. "
    "A new footbridge over the river is due to open in the spring. "
)


def score(classifier: Classifier, topic: str, title: str, body: str) -> float:
    return next(s.score for s in classifier.score(title, body) if s.topic == topic)


@pytest.mark.parametrize(
    ("topic", "text"),
    [
        (
            "civilian_casualties",
            "Russian drones hit the region overnight, and no civilians were hurt, the governor said.",
        ),
        ("evacuation", "Officials said no evacuation was possible because of the fighting near the front line."),
        ("evacuation", "Despite the shelling, residents of the town were not evacuated, officials said."),
        ("prisoner_exchange", "The Kremlin said there were no plans for a prisoner exchange with Ukraine."),
        ("evacuation", "A planned evacuation of the besieged district did not take place, the army said."),
        (
            "civilian_casualties",
            "The army said the air strike hit a weapons depot without causing civilian casualties.",
        ),
    ],
)
def test_negated_events_are_not_tagged(classifier: Classifier, topic: str, text: str) -> None:
    assert topic not in topics_of(classifier, "", text)


@pytest.mark.parametrize(
    ("topic", "text"),
    [
        ("civilian_casualties", "Russian missiles killed no fewer than 20 civilians in Kharkiv, officials said."),
        ("prisoner_exchange", "It was not the first prisoner exchange between Russia and Ukraine this year."),
        ("ceasefire_negotiations", "Moscow did not rule out a ceasefire in the war, the Kremlin said."),
    ],
)
def test_negation_lookalikes_still_tag(classifier: Classifier, topic: str, text: str) -> None:
    assert topic in topics_of(classifier, "", text)


def test_talks_that_collapse_or_are_refused_are_still_ceasefire_news(classifier: Classifier) -> None:
    assert "ceasefire_negotiations" in topics_of(
        classifier, "", "The Kremlin said there was no basis for peace talks with Ukraine at present."
    )
    assert "ceasefire_negotiations" in topics_of(
        classifier, "Truce collapses in Khartoum", "The truce between the army and the RSF collapsed on Saturday."
    )


def test_negation_does_not_reach_across_a_clause(classifier: Classifier) -> None:
    text = "There was no warning, and a Russian missile killed 14 civilians in Dnipro on Saturday."
    assert "civilian_casualties" in topics_of(classifier, "", text)


def test_hedged_report_counts_a_little_less(classifier: Classifier) -> None:
    plain = score(classifier, "airstrike_shelling", "", "Israeli warplanes struck targets in southern Lebanon.")
    hedged = score(
        classifier, "airstrike_shelling", "", "Israeli warplanes reportedly struck targets in southern Lebanon."
    )
    assert 0 < hedged < plain


def test_background_mention_counts_less_than_news(classifier: Classifier) -> None:
    news = "Russian shelling damaged the metro station in Kharkiv on Monday."
    past = "The metro station in Kharkiv, damaged by shelling in the first weeks of the war, reopened on Monday."
    assert score(classifier, "airstrike_shelling", "", past) < score(classifier, "airstrike_shelling", "", news)
    assert "airstrike_shelling" not in topics_of(classifier, "Metro station reopens", past)


def test_side_remark_after_because_of_counts_less(classifier: Classifier) -> None:
    side = "Officials evacuated 18 villages near the plant because of shelling, the governor said."
    assert "evacuation" in topics_of(classifier, "", side)
    assert "airstrike_shelling" not in topics_of(classifier, "", side)


def test_headline_weighs_more_than_body(classifier: Classifier) -> None:
    phrase = "Rebels recaptured the town"
    in_title = score(classifier, "surrender_capture", phrase, "Residents said the market reopened.")
    in_body = score(classifier, "surrender_capture", "Market reopens", FILLER + phrase + ".")
    assert in_title > in_body


def test_event_in_one_paragraph_of_a_long_article(classifier: Classifier) -> None:
    body = FILLER * 4 + "In the east, Russian missiles struck Kharkiv overnight, killing three civilians. " + FILLER * 4
    got = topics_of(classifier, "City news roundup", body)
    assert {"airstrike_shelling", "civilian_casualties"} <= got


def test_one_clause_mention_in_a_long_article_is_not_enough(classifier: Classifier) -> None:
    body = FILLER * 3 + "Officials hope visitors will return despite the war. " + FILLER * 3
    assert topics_of(classifier, "City news roundup", body) == set()


@pytest.mark.parametrize(
    ("topic", "british", "american"),
    [
        (
            "humanitarian_aid",
            "Aid organisations delivered food to the displaced in the neighbourhood.",
            "Aid organizations delivered food to the displaced in the neighborhood.",
        ),
        (
            "airstrike_shelling",
            "Air defences shot down 20 drones over the capital.",
            "Air defenses shot down 20 drones over the capital.",
        ),
        (
            "civilian_casualties",
            "Eleven civilians were killed and 30 hospitalised after the missile strike.",
            "Eleven civilians were killed and 30 hospitalized after the missile strike.",
        ),
    ],
)
def test_british_and_american_spellings(classifier: Classifier, topic: str, british: str, american: str) -> None:
    assert topic in topics_of(classifier, "", british)
    assert topic in topics_of(classifier, "", american)


@pytest.mark.parametrize(
    ("topic", "text"),
    [
        ("prisoner_exchange", "Україна повернула з полону 90 захисників у рамках обміну полоненими."),
        ("prisoner_exchange", "Россия и Украина провели обмен военнопленными."),
        ("evacuation", "Влада оголосила примусову евакуацію дітей з прифронтових сіл через обстріли."),
        ("airstrike_shelling", "Російські війська обстріляли центр Херсона з артилерії."),
        ("ceasefire_negotiations", "Сторони погодили перемир'я на Великдень, повідомили у Києві."),
        (
            "civilian_casualties",
            "Троє мирних жителів загинули внаслідок атаки дронів на Сумщину, повідомила ОВА війни.",
        ),
        ("humanitarian_aid", "До Херсона прибув гуманітарний конвой ООН з продуктами та ліками."),
        ("war_crimes_justice", "Прокуратура розслідує воєнні злочини російських військових."),
        ("surrender_capture", "Минобороны России заявило, что войска взяли под контроль поселок."),
    ],
)
def test_ukrainian_and_russian_keywords(classifier: Classifier, topic: str, text: str) -> None:
    assert topic in topics_of(classifier, "", text)


def test_numbers_in_words_and_digits(classifier: Classifier) -> None:
    assert "surrender_capture" in topics_of(classifier, "", "More than 260 fighters surrendered to Russian forces.")
    assert "surrender_capture" in topics_of(classifier, "", "Some two hundred fighters laid down their arms.")


def test_a_source_of_a_quote_is_not_the_news(classifier: Classifier) -> None:
    body = (
        "The home side won the derby 2-1 on Sunday. Humanitarian workers in the area said the curfew had been "
        "extended. Aid agencies told reporters that trains were running late."
    )
    assert "humanitarian_aid" not in topics_of(classifier, "Home side wins derby", body)
    # ... but a report by them still counts, and a comma ends the source check.
    assert "humanitarian_aid" in topics_of(
        classifier, "", "Aid agencies said they had delivered food and medicine to 40,000 displaced people."
    )
    assert "civilian_casualties" in topics_of(
        classifier, "", "Russian shells hit a market in Kherson, killing five and injuring 11, officials said."
    )


def test_a_dated_clause_is_background(classifier: Classifier) -> None:
    dated = "Residents returned after Baku's forces retook the region in September 2023."
    news = "Residents returned after Baku's forces retook the region on Tuesday."
    assert score(classifier, "surrender_capture", "", dated) < score(classifier, "surrender_capture", "", news)
    assert "surrender_capture" not in topics_of(classifier, "Court jails separatist leaders", dated)
    assert "surrender_capture" in topics_of(classifier, "Court jails separatist leaders", news)


def test_first_time_since_a_year_is_not_background(classifier: Classifier) -> None:
    text = "Rebel fighters seized most of Aleppo on Saturday, for the first time since 2016."
    assert "surrender_capture" in topics_of(classifier, "", text)


def test_one_weak_word_repeated_is_not_enough(classifier: Classifier) -> None:
    repeated = "The vaccine trial in Burkina Faso enrolled 400 children. The trial ran for two years after the war."
    assert score(classifier, "war_crimes_justice", "Malaria trial results", repeated) < classifier.threshold(
        "war_crimes_justice"
    )
    varied = "Prosecutors opened a trial of militia commanders. The tribunal heard evidence about the war."
    assert "war_crimes_justice" in topics_of(classifier, "", varied)


def test_relative_clause_about_earlier_flight_is_not_an_evacuation(classifier: Classifier) -> None:
    setting = "Shells landed in camps that shelter people who fled fighting between the rebels and the army."
    assert "evacuation" not in topics_of(classifier, "", setting)
    event = "Thousands of villagers fled fighting between the rebels and the army on Monday."
    assert "evacuation" in topics_of(classifier, "", event)


def test_a_year_after_since_is_not_background(classifier: Classifier) -> None:
    since = "Shelling has hit the town every day since 2022, and a missile strike on Monday destroyed the school."
    dated = "Shelling hit the town in 2022, and a missile strike destroyed the school in 2023."
    assert score(classifier, "airstrike_shelling", "", dated) < score(classifier, "airstrike_shelling", "", since)


def test_a_history_headline_makes_the_whole_article_background(classifier: Classifier) -> None:
    body = "Operation Dynamo carried 330,000 troops across the Channel under shelling. The evacuation saved an army."
    assert "evacuation" not in topics_of(
        classifier, "Relatives gather at Dunkirk for anniversary of 1940 evacuation", body
    )
    assert "evacuation" in topics_of(classifier, "Troops pulled out of Dunkirk", body)


def test_a_condition_is_not_the_event(classifier: Classifier) -> None:
    text = "Israel says no goods will enter Gaza until Hamas releases the remaining hostages, amid the war."
    assert "prisoner_exchange" not in topics_of(classifier, "Bakeries close as flour runs out", text)


def test_a_fact_check_headline_makes_the_article_no_news(classifier: Classifier) -> None:
    body = "Videos claimed the building was hit by a drone amid the war. The blast killed four people, police said."
    assert "airstrike_shelling" not in topics_of(classifier, "Baghdad blast caused by gas cylinder, not drone", body)
    assert "airstrike_shelling" in topics_of(classifier, "Drone hits Baghdad building", body)


def test_one_passing_sentence_in_a_long_article_counts_less(classifier: Classifier) -> None:
    passing = "Aid agencies said water deliveries had resumed in the camps. "
    long_body = FILLER * 8 + passing + FILLER * 2
    short_body = FILLER + passing
    long_score = score(classifier, "humanitarian_aid", "City news roundup", long_body)
    short_score = score(classifier, "humanitarian_aid", "City news roundup", short_body)
    assert 0 < long_score < short_score


def test_a_fresh_event_in_a_long_article_is_not_a_passing_mention(classifier: Classifier) -> None:
    fresh = "Russian missiles struck Kharkiv on Tuesday, damaging homes. "
    stale = "Russian missiles struck Kharkiv, damaging homes. "
    body = FILLER * 8
    assert "airstrike_shelling" in topics_of(classifier, "City news roundup", body + fresh + FILLER)
    assert "airstrike_shelling" not in topics_of(classifier, "City news roundup", body + stale + FILLER)
