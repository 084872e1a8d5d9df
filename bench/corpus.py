"""Synthetic wire-style articles for the benchmarks, written for Herald (about 2 KB each).

A realistic mix: roughly half report something a subscriber of one of the default topics
would want, the rest is ordinary news (markets, sport, science, weather) that must match
nothing. Places, numbers and names vary so every article has its own id and story.
"""

from __future__ import annotations

import random
from typing import Any

PLACES = [
    "Kharkiv",
    "Zaporizhzhia",
    "Kherson",
    "Odesa",
    "Sumy",
    "Pokrovsk",
    "Gaza City",
    "Rafah",
    "Khan Younis",
    "Khartoum",
    "El Fasher",
    "Goma",
    "Aleppo",
    "Idlib",
    "Marib",
    "Mosul",
    "Bakhmut",
    "Mykolaiv",
]
MEDIATORS = ["Qatar", "Turkey", "Egypt", "the United Arab Emirates", "Saudi Arabia", "the African Union", "Norway"]

TOPICAL = [
    (
        "{a} and {b} exchange {n} prisoners of war",
        "{a} and {b} exchanged {n} prisoners of war on {day} in a deal mediated by {m}, officials said. "
        "The freed soldiers were handed over at a crossing point near {p} and taken for medical checks. "
        "Negotiators said further swaps of captives were being prepared.",
    ),
    (
        "Residents evacuated from {p} as fighting nears",
        "Authorities ordered the evacuation of {n} residents from {p} on {day} as front lines moved closer. "
        "Buses and trains carried families with children west, and volunteers helped elderly people leave "
        "their homes. Officials said a humanitarian corridor would stay open until nightfall.",
    ),
    (
        "Missile and drone strikes hit {p} overnight",
        "Russian forces launched {n} drones and several missiles at {p} overnight, damaging homes and a power "
        "plant, the regional governor said on {day}. Air defences shot down most of the drones. Artillery "
        "shelling of the outskirts continued into the morning.",
    ),
    (
        "Ceasefire talks resume in {mc} as mediators push for truce",
        "Delegations returned to {mc} on {day} for a new round of ceasefire negotiations mediated by {m}. "
        "Diplomats said the sides were discussing a {n}-day truce and the exchange of hostages, though "
        "significant gaps remained over the withdrawal of forces.",
    ),
    (
        "Aid convoy reaches {p} with food and medicine",
        "A convoy of {n} trucks carrying flour, clean water and medical supplies reached {p} on {day}, the "
        "World Food Programme said. Aid agencies warned that families faced severe shortages and that "
        "hospitals had run out of fuel for generators.",
    ),
    (
        "Civilians killed as shelling strikes market in {p}",
        "At least {n} civilians were killed and dozens wounded when shells struck a crowded market in {p} on "
        "{day}, local health officials said. Rescue workers searched the rubble for survivors as the "
        "bombardment of residential districts continued.",
    ),
    (
        "Fighters surrender as {p} falls after long siege",
        "More than {n} fighters surrendered on {day} as government forces captured {p} after a siege of "
        "several months, the defence ministry said. Troops raised flags over the town hall and began "
        "clearing mines from the approach roads.",
    ),
    (
        "Tribunal charges commander with war crimes in {p}",
        "Prosecutors at an international tribunal charged a former commander on {day} with war crimes and "
        "crimes against humanity over the killing of {n} detainees near {p}. Investigators said captured "
        "soldiers had been tortured in violation of the Geneva Conventions.",
    ),
]

ORDINARY = [
    (
        "Central bank holds rates as exchange rate steadies",
        "The central bank kept its main interest rate at {n} basis points on {day}, citing a steadier exchange "
        "rate. Shares on the stock exchange rose after the decision and bond yields eased slightly.",
    ),
    (
        "{p} side wins derby in stoppage time",
        "A stoppage-time header gave the home side a 2-1 win in the derby on {day}, lifting them {n} points "
        "clear at the top of the table. The coach praised the crowd and said the squad would rest key players.",
    ),
    (
        "Researchers map ocean currents with {n} floating sensors",
        "Oceanographers released {n} drifting sensors on {day} to map currents in the North Atlantic. The "
        "project will measure temperature and salinity for two years and publish its data openly.",
    ),
    (
        "Storm brings heavy rain and cooler weather to {p}",
        "Forecasters said a slow-moving storm would bring up to {n} millimetres of rain to {p} by {day}, "
        "with cooler temperatures expected through the weekend. Drivers were advised to check road reports.",
    ),
]

# Background sentences are assembled from fragments so that articles share little text:
# ingest groups near-identical texts into one story, and the benchmark wants distinct stories.
SUBJECTS = [
    "A spokesperson for the regional administration",
    "Local journalists",
    "Residents interviewed by phone",
    "A senior official who asked not to be named",
    "Humanitarian workers in the area",
    "The city council",
    "Analysts in the capital",
    "Opposition politicians",
    "A hospital director",
    "Transport officials",
    "Shop owners near the centre",
    "Teachers at a local school",
    "The state broadcaster",
    "Church leaders",
]
VERBS = [
    "said",
    "warned",
    "told reporters",
    "noted",
    "cautioned",
    "added",
    "insisted",
    "acknowledged",
    "reported",
]
CLAIMS = [
    "that mobile networks were patchy",
    "that queues had formed at petrol stations",
    "that schools would stay shut",
    "that bread prices had doubled",
    "that trains were running late",
    "that more details would follow",
    "that the account could not yet be verified",
    "that power cuts were expected to continue",
    "that roads to the north remained closed",
    "that volunteers were collecting warm clothes",
    "that the curfew had been extended",
    "that water supplies were being rationed",
    "that banks had limited cash withdrawals",
    "that hospitals were short of staff",
    "that the situation remained tense",
    "that markets had reopened in some districts",
]
TOWNS = [
    "Lozova",
    "Izium",
    "Balakliia",
    "Kupiansk",
    "Chuhuiv",
    "Pavlohrad",
    "Nikopol",
    "Marhanets",
    "Synelnykove",
    "Kramatorsk",
    "Sloviansk",
    "Druzhkivka",
    "Kostiantynivka",
    "Myrnohrad",
    "Dobropillia",
    "Bilozerske",
    "Shostka",
    "Konotop",
    "Okhtyrka",
    "Romny",
    "Lebedyn",
    "Trostianets",
    "Hlukhiv",
    "Krolevets",
]
WHEN = ["on {day}", "late on {day}", "early on {day}", "in a statement", "overnight", "at a briefing", "this week"]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def _background(rng: random.Random, sentences: int) -> str:
    parts = []
    for _ in range(sentences):
        when = rng.choice(WHEN).format(day=rng.choice(DAYS))
        parts.append(f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {when} {rng.choice(CLAIMS)} in {rng.choice(TOWNS)}.")
    return " ".join(parts)


def articles(count: int, seed: int = 7, topical_share: float = 0.5) -> list[dict[str, Any]]:
    """``count`` distinct articles of about 2 KB, ``topical_share`` of them on a default topic."""
    rng = random.Random(seed)
    out: list[dict[str, Any]] = []
    for i in range(count):
        title_t, body_t = rng.choice(TOPICAL) if rng.random() < topical_share else rng.choice(ORDINARY)
        values = {
            "a": "Ukraine",
            "b": "Russia",
            "p": rng.choice(PLACES),
            "m": rng.choice(MEDIATORS),
            "mc": rng.choice(["Doha", "Cairo", "Istanbul", "Jeddah", "Geneva"]),
            "n": rng.randint(3, 900),
            "day": rng.choice(DAYS),
        }
        body = body_t.format(**values)
        body = f"{body} {_background(rng, 16)} (Ref {seed}-{i})"
        out.append(
            {
                "title": title_t.format(**values) + f" ({i})",
                "body": body,
                "url": f"https://bench.herald.example/{seed}/{i}",
                "source": "Herald Bench Wire",
                "published_at": "2026-11-30T08:00:00Z",
                "language": "en",
            }
        )
    return out
