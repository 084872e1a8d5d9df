"""Every false friend named in the taxonomy brief must not fire; its true sense still must."""

from __future__ import annotations

import pytest

from services.classify.classifier import Classifier
from tests.unit.classify.conftest import topics_of

# (topic that must NOT be tagged, headline, body)
FALSE_FRIENDS = [
    ("prisoner_exchange", "Euro slips as exchange rates swing", "The exchange rate fell as traders sold the euro."),
    (
        "prisoner_exchange",
        "Chipmaker to list on stock exchange",
        "The firm will list its shares on the stock exchange.",
    ),
    (
        "prisoner_exchange",
        "Troops exchange fire on border",
        "Soldiers exchanged fire with militants overnight; two prisoners escaped.",
    ),
    (
        "prisoner_exchange",
        "Jail frees inmates early",
        "The ministry will release 1,700 prisoners early to ease overcrowding.",
    ),
    ("prisoner_exchange", "Police arrest 14 in raids", "Police arrested 14 people in dawn raids on a drug gang."),
    (
        "prisoner_exchange",
        "Commandos rescue hostages",
        "Special forces rescued four hostages in a raid, the army said.",
    ),
    (
        "evacuation",
        "School holds evacuation drill",
        "Pupils left the building in four minutes during a fire evacuation drill.",
    ),
    ("evacuation", "Investors evacuate tech stocks", "Investors fled technology shares as bond yields rose."),
    (
        "evacuation",
        "Train passengers walk out after fault",
        "Passengers were evacuated from a stalled train after a power fault.",
    ),
    ("airstrike_shelling", "Shell profit beats forecasts", "Shell reported higher profit and a share buyback."),
    (
        "airstrike_shelling",
        "Shell companies hid millions",
        "Prosecutors said shell companies were used to hide the money.",
    ),
    ("airstrike_shelling", "Nurses strike over pay", "Thousands of nurses held a one-day strike over pay."),
    ("airstrike_shelling", "Memoir drops a bombshell", "The memoir contains a bombshell about the show's producers."),
    (
        "airstrike_shelling",
        "Car bomb kills five",
        "A car bomb exploded near a checkpoint in Mogadishu, killing five people.",
    ),
    (
        "airstrike_shelling",
        "Shares rocket after approval",
        "Shares in the drugmaker rocketed 30% after regulators approved its drug.",
    ),
    (
        "airstrike_shelling",
        "Pakistan test-fires missile",
        "Pakistan test-fired a ballistic missile, the military said.",
    ),
    (
        "airstrike_shelling",
        "Congress approves aid",
        "Congress approved military aid including artillery shells and missiles.",
    ),
    (
        "surrender_capture",
        "Photographer captures snow leopard",
        "A photographer captured a rare snow leopard on camera.",
    ),
    ("surrender_capture", "Home side capture title", "The home side captured the league title with a late winner."),
    (
        "surrender_capture",
        "Suspect surrenders to police",
        "A man wanted over a shooting surrendered to police on Thursday.",
    ),
    ("surrender_capture", "Carbon capture plant opens", "The carbon capture plant will store CO2 under the sea."),
    ("surrender_capture", "Customs seize cocaine", "Customs officers seized two tonnes of cocaine at the port."),
    (
        "ceasefire_negotiations",
        "Clubs call truce over transfer",
        "The two clubs agreed a truce in their row over a midfielder's transfer.",
    ),
    (
        "ceasefire_negotiations",
        "US and China extend tariff truce",
        "The tariff truce eases fears of a renewed trade war.",
    ),
    ("ceasefire_negotiations", "Union resumes pay talks", "Union leaders returned to negotiations to end a strike."),
    (
        "civilian_casualties",
        "Earthquake toll passes 2,000",
        "The death toll from the earthquake rose as rescuers dug through rubble.",
    ),
    ("civilian_casualties", "Bus plunges into ravine", "A bus plunged into a ravine, killing 22 people."),
    ("civilian_casualties", "Man jailed for murder", "A man was jailed for life for stabbing his neighbour to death."),
    (
        "civilian_casualties",
        "Floods kill dozens",
        "Floods killed at least 39 people and forced thousands from their homes.",
    ),
    ("civilian_casualties", "Jihadists overrun post", "Jihadist fighters overran an army post, killing 29 soldiers."),
    ("humanitarian_aid", "Hearing aids over the counter", "Hearing aids will be sold without a prescription."),
    (
        "humanitarian_aid",
        "Aid package for farmers",
        "The government announced an aid package for farmers, with tax relief.",
    ),
    ("humanitarian_aid", "Student aid applications open", "Applications for federal student aid open next week."),
    ("humanitarian_aid", "Minister's aide leaks budget", "An aide leaked details of the budget to journalists."),
    ("war_crimes_justice", "Fraud trial opens", "The fraud trial of a former bank chief opened on Monday."),
    ("war_crimes_justice", "Murder trial hears from sister", "The murder trial heard from the victim's sister."),
    (
        "war_crimes_justice",
        "Employment tribunal rules",
        "An employment tribunal ruled the worker was unfairly dismissed.",
    ),
    ("war_crimes_justice", "ICC names World Cup venues", "The ICC announced the venues for the cricket World Cup."),
    ("war_crimes_justice", "Clinical trial shows promise", "A clinical trial found the drug slowed decline."),
    (
        "war_crimes_justice",
        "Chef's pizza goes viral",
        "Users jokingly called the pizza a war crime against Italian food.",
    ),
    (
        "ceasefire_negotiations",
        'Rival senators call "truce" ahead of budget vote',
        'Allies of the president declared a "truce" with the opposition, saying they needed a ceasefire in words.',
    ),
    (
        "ceasefire_negotiations",
        "Supermarket chains cut prices again",
        "Britain's big chains show no sign of calling a truce in their price war.",
    ),
    (
        "ceasefire_negotiations",
        "Gangs announce truce",
        "Rival gangs in Port-au-Prince have agreed a truce, residents said.",
    ),
    (
        "prisoner_exchange",
        "Junta frees 4,000 prisoners in new year amnesty",
        "The military government freed more than 4,000 prisoners under an annual amnesty, state media said.",
    ),
    (
        "surrender_capture",
        "Rebels and army swap detainees",
        "The rebels handed over 64 captured soldiers in an exchange with the army, while the war went on.",
    ),
    (
        "surrender_capture",
        "Drone kills traders at market",
        "Residents said 70 wounded people were taken to hospitals in the city after the drone strike.",
    ),
    (
        "civilian_casualties",
        "Flash floods kill 33 in Kinshasa",
        "At least 33 people were killed in Congo's capital after torrential rain; Congo's army sent trucks.",
    ),
    (
        "civilian_casualties",
        "Lightning strikes kill 21 in Bihar",
        "Lightning strikes killed 21 people across the state, officials said.",
    ),
    (
        "airstrike_shelling",
        "Suicide bomber strikes beach restaurant",
        "A suicide bomber blew himself up at a restaurant in Mogadishu, where al-Shabab militants are active.",
    ),
    (
        "airstrike_shelling",
        "Unions begin nationwide strike",
        "Labour unions began a strike on Monday after wage talks with the government broke down amid the war.",
    ),
    (
        "evacuation",
        "Millions join earthquake drill",
        "Office workers practised evacuating down stairwells as sirens sounded.",
    ),
    (
        "humanitarian_aid",
        "Special tribunal to try commanders",
        "Prosecutors will try commanders over the use of starvation as a weapon of war in the conflict.",
    ),
    (
        "ceasefire_negotiations",
        "Chipmakers call truce in patent war",
        "The two chip designers agreed to drop 40 lawsuits; analysts called the ceasefire a win for handset makers.",
    ),
    (
        "ceasefire_negotiations",
        "Gang frees kidnapped nurses after church-led talks",
        "The gang let them go after ten days of negotiations; a priest would not say if a ransom was paid.",
    ),
    (
        "humanitarian_aid",
        "Gunmen kill aid workers in ambush",
        "Gunmen ambushed a convoy in South Sudan and killed three aid workers, the UN said.",
    ),
    (
        "airstrike_shelling",
        "State Department clears missile sale to Poland",
        "The approved sale of air-to-air missiles and launchers is worth $1.3 billion, a year into the war.",
    ),
    (
        "airstrike_shelling",
        "Review: new military shooter lets you call in airstrikes",
        "The latest military shooter looks spectacular: jets scream overhead and artillery churns the mud.",
    ),
    (
        "civilian_casualties",
        "Court jails soldier for killing civilian",
        "A court in the Kyiv region sentenced a Russian soldier to 15 years for killing an unarmed man in the war.",
    ),
    (
        "civilian_casualties",
        "Jury hears how man killed neighbour",
        "A man stabbed his neighbour to death, a jury was told; he wrote that he was 'at war' with the victim.",
    ),
    (
        "evacuation",
        "Gangs overrun town, free hundreds of inmates",
        "Gang members stormed the prison, from which more than 400 inmates fled, after fighting with police.",
    ),
    (
        "evacuation",
        "У київських школах провели навчальну евакуацію",
        "У школах провели планові навчання з евакуації учнів на випадок пожежі.",
    ),
    (
        "prisoner_exchange",
        "From captivity to the finish line",
        "The former marine, who came home in 2023 after 18 months in Russian captivity, ran a half-marathon in Kyiv.",
    ),
    (
        "prisoner_exchange",
        "Gaza truce collapses as Israel launches air strikes",
        "The strikes were ordered after Hamas refused to release remaining hostages, Israel said.",
    ),
    (
        "humanitarian_aid",
        "Drone deliveries of prescriptions take off",
        "Residents can now have prescription medicines delivered by drone within minutes.",
    ),
    (
        "war_crimes_justice",
        "Moscow court jails journalist for spreading 'fakes' about army",
        "A court sentenced a journalist to seven years for spreading false information about the army and the war.",
    ),
    (
        "civilian_casualties",
        "Judge charges ministers in port blast probe",
        "The blast, caused by ammonium nitrate stored unsafely at the port, killed more than 220 people.",
    ),
    (
        "airstrike_shelling",
        "Live: North Korea fires ballistic missile into sea",
        "North Korea fired a short-range ballistic missile off its east coast, Seoul said, days before US drills.",
    ),
    (
        "airstrike_shelling",
        "Sirens wail across Germany in warning day test",
        "Air raid sirens sounded across Germany as part of the annual warning day, a test of the alert systems.",
    ),
    (
        "airstrike_shelling",
        "Yankees' ace shelled as Red Sox complete sweep",
        "The Red Sox tagged the starter for seven runs in 3 1/3 innings.",
    ),
    (
        "surrender_capture",
        "Fritz surrenders two-set lead",
        "Draper fought back from two sets down, capturing the decisive break in the fifth set.",
    ),
    (
        "ceasefire_negotiations",
        "Egypt says Nile dam talks with Ethiopia have failed",
        "The latest round of negotiations over the dam ended without agreement; Sudan did not take part in the talks.",
    ),
    (
        "evacuation",
        "Three workers killed in refinery explosion",
        "The fire was brought under control; no shelter-in-place order or evacuation was required.",
    ),
    (
        "prisoner_exchange",
        "Rovers complete player swap with City",
        "The clubs agreed a straight swap of two midfielders, ending talks one director called a hostage negotiation.",
    ),
    (
        "airstrike_shelling",
        "Allies fire hundreds of rounds in annual artillery exercise",
        "Artillery units fired 800 rounds on a training range during the annual exercise near the war zone.",
    ),
    (
        "evacuation",
        "Thousands take part in evacuation drill around nuclear plant",
        "Residents boarded buses and were driven to a reception centre, where they were checked for radiation.",
    ),
    (
        "airstrike_shelling",
        "Tanks and missiles roll through capital in Victory Day parade",
        "Some 8,000 troops and missiles paraded past the reviewing stand as fighter jets flew overhead.",
    ),
    (
        "ceasefire_negotiations",
        "Voters go to polls in first election since peace accord",
        "Twelve parties, including one formed by former rebel commanders, are competing for 150 seats.",
    ),
    (
        "airstrike_shelling",
        "Review: a harrowing war film that never lets up",
        "Artillery rains down and the director stages the shelling sequences with relentless realism.",
    ),
    (
        "evacuation",
        "Firefighters carry out controlled burns",
        "Firefighters carried out controlled burns to reduce bushfire risk; residents were warned about smoke.",
    ),
    (
        "prisoner_exchange",
        "UK agrees prisoner transfer treaty",
        "Foreign offenders will serve the rest of their sentences at home under the prisoner transfer treaty.",
    ),
]

# The same words in their true sense: (topic that MUST be tagged, headline, body)
TRUE_SENSES = [
    (
        "prisoner_exchange",
        "Russia and Ukraine swap POWs",
        "Russia and Ukraine exchanged 95 prisoners of war each on Friday.",
    ),
    (
        "evacuation",
        "Thousands evacuated as fire spreads",
        "Authorities ordered 30,000 people to evacuate as a wildfire spread.",
    ),
    ("airstrike_shelling", "Shelling hits Kherson", "Russian artillery shelled the centre of Kherson, damaging homes."),
    (
        "surrender_capture",
        "Fighters surrender at steelworks",
        "More than 260 fighters surrendered to Russian forces at the plant.",
    ),
    (
        "ceasefire_negotiations",
        "Truce agreed in Sudan",
        "The army and the RSF agreed a ceasefire after talks in Jeddah.",
    ),
    (
        "civilian_casualties",
        "Strike kills civilians",
        "A missile strike on a market killed 14 civilians, officials said.",
    ),
    ("humanitarian_aid", "Aid convoy reaches Gaza", "A convoy of aid trucks carrying flour reached northern Gaza."),
    (
        "war_crimes_justice",
        "ICC issues warrant",
        "The International Criminal Court issued a warrant over war crimes in Ukraine.",
    ),
    (
        "evacuation",
        "Israel orders residents of eastern Khan Younis to move",
        "The military told residents of several neighbourhoods to leave immediately and head west, amid airstrikes.",
    ),
    (
        "evacuation",
        "100,000 moved to shelters after artillery duels",
        "More than 100,000 people along the border have been moved to temporary shelters after rocket fire.",
    ),
    (
        "evacuation",
        "Из приграничных сёл вывезли ещё 300 детей",
        "Власти сообщили о вывозе детей из сёл, которые подвергаются обстрелам.",
    ),
    (
        "prisoner_exchange",
        "",
        "Министерство обороны сообщило, что из украинского плена возвращены 150 военнослужащих в ходе обмена.",
    ),
    (
        "ceasefire_negotiations",
        "U.S. and Houthis agree to stop targeting each other",
        "Oman said the two sides agreed, after Omani mediation, to stop attacking each other's ships.",
    ),
    (
        "humanitarian_aid",
        "UN pleads for access to besieged city",
        "An estimated 250,000 people remain inside the besieged city with almost no food, the UN said.",
    ),
    (
        "war_crimes_justice",
        "Iraq begins trials of Islamic State suspects",
        "Iraqi courts began prosecuting dozens of men on suspicion of membership of the Islamic State group.",
    ),
    (
        "surrender_capture",
        "Kurdish-led SDF hands dam to Damascus",
        "The SDF handed control of the Tishrin Dam to government forces after months of fighting.",
    ),
    (
        "evacuation",
        "Crew abandons carrier after Houthi missile strike",
        "Missiles set the ship ablaze, forcing its 22 crew members to abandon ship.",
    ),
    (
        "prisoner_exchange",
        "M23 hands soldiers to Red Cross",
        "The rebels handed more than 100 captured soldiers to the International Committee of the Red Cross.",
    ),
    (
        "civilian_casualties",
        "Burkina Faso : au moins 40 civils tués dans l'attaque d'un village",
        "Des hommes armés ont attaqué le village, tuant au moins 40 civils, dont des femmes et des enfants.",
    ),
    (
        "evacuation",
        "La DANA obliga a desalojar a 2.300 vecinos",
        "Los servicios de emergencia desalojaron a 2.300 vecinos ante la crecida del río tras lluvias torrenciales.",
    ),
    (
        "war_crimes_justice",
        "Суд засудив російського військового до довічного ув'язнення",
        "Суд визнав винним військовослужбовця у порушенні законів та звичаїв війни.",
    ),
    (
        "ceasefire_negotiations",
        "Indian and Pakistani troops trade fire in Kashmir",
        "Military officials agreed to strictly observe the 2021 ceasefire arrangement after the shelling.",
    ),
    (
        "civilian_casualties",
        "Mali: soldiers executed dozens, rights group says",
        "Soldiers summarily executed at least 32 civilians during an operation in central Mali, the group said.",
    ),
    (
        "surrender_capture",
        "Syrian army takes over Tishreen Dam",
        "Government forces took over the Tishreen Dam after Kurdish-led fighters withdrew.",
    ),
    (
        "civilian_casualties",
        "RSF says it holds Um Sumeima",
        "At least 18 civilians were killed by fighters who went from house to house, a local committee said.",
    ),
    (
        "prisoner_exchange",
        "Ninety for ninety: another exchange on the northern border",
        "Ukraine and Russia handed over 90 men each at the border, the headquarters for prisoners of war said.",
    ),
    (
        "surrender_capture",
        "Junta outpost has fallen in Sagaing",
        "The garrison at a hilltop camp gave up after a nine-day siege, the resistance fighters said.",
    ),
    (
        "evacuation",
        "Four villages emptied as fire jumps the ridge",
        "Civil protection ordered four villages to be cleared overnight as the wildfire crossed the ridge.",
    ),
    (
        "airstrike_shelling",
        "Aid workers among dead in Deir al-Balah",
        "Three aid workers were killed when a strike hit a clearly marked convoy carrying flour in Gaza.",
    ),
    (
        "airstrike_shelling",
        "Five dead as shells hit residential district",
        "The rounds struck a playground and two apartment buildings; the shelling came from across the river.",
    ),
    (
        "airstrike_shelling",
        "Heavy guns pound positions along the river front",
        "Artillery and multiple rocket launchers pounded defensive positions along the front, the army said.",
    ),
    (
        "prisoner_exchange",
        "'I counted every day': a mother's wait ends",
        "Her son, taken captive early in the war, came home as part of a deal that returned 112 men in each direction.",
    ),
    (
        "civilian_casualties",
        "Drone attacks on police stations wound four civilians",
        "Drones dropped explosives, wounding two police officers and four civilians, among them a girl.",
    ),
    (
        "evacuation",
        "UNHCR moves Sudanese refugees away from Chad border",
        "The agency moved families by truck away from the threat of cross-border attacks in the war.",
    ),
]


@pytest.mark.parametrize(("topic", "title", "body"), FALSE_FRIENDS)
def test_false_friend_does_not_fire(classifier: Classifier, topic: str, title: str, body: str) -> None:
    assert topic not in topics_of(classifier, title, body)


@pytest.mark.parametrize(("topic", "title", "body"), TRUE_SENSES)
def test_true_sense_fires(classifier: Classifier, topic: str, title: str, body: str) -> None:
    assert topic in topics_of(classifier, title, body)


def test_suicide_bombing_is_civilian_casualties_not_airstrike(classifier: Classifier) -> None:
    got = topics_of(classifier, "Suicide bomber kills 12 at market", "A suicide bomber killed 12 people at a market.")
    assert "civilian_casualties" in got
    assert "airstrike_shelling" not in got
