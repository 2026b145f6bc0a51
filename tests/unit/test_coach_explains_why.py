"""Asking for data and saying why, in small stories written for the rules (not from the corpus).

The ideas the rules missed before: Dutch writes a kind of number as one word ("werkbonnummer"), a document
("de factuur") is data too, and the reason can be what the data shows the agent ("it brings up the
report", "dat laat mij de blokkade zien").
"""

from datetime import datetime
from zoneinfo import ZoneInfo

from attent.coach.engine import score
from attent.coach.pasted import parse_text

WEDNESDAY_10 = datetime(2026, 3, 4, 10, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))


def explains_why(text: str) -> tuple[str, tuple[int, ...]]:
    v = score(parse_text(text, started_at=WEDNESDAY_10)).verdict("explains_why")
    return v.result, v.lines


def test_a_dutch_compound_number_or_a_document_is_data_asked_for():
    assert explains_why(
        "Klant: mijn internet doet het niet\nAgent: Wat is uw aansluitnummer?\nKlant: 4471"
    ) == (
        "missed",
        (1,),
    )
    assert explains_why(
        "Klant: een vraag over mijn rekening\nAgent: Heeft u de factuur erbij?\nKlant: ja"
    ) == (
        "missed",
        (1,),
    )
    bike = (
        "Klant: mijn fiets is niet klaar\nAgent: Heb je het werkbonnummer bij de hand? Daarmee vind ik hem."
    )
    assert explains_why(bike) == ("met", (1,))


def test_what_the_data_shows_the_agent_is_a_reason():
    fine = (
        "Customer: I got a parking fine\n"
        "Agent: Could you read me the number on the notice? It brings up the warden's report.\nCustomer: PX12"
    )
    assert explains_why(fine) == ("met", (1,))
    grinder = (
        "Customer: my grinder broke\n"
        "Agent: What's the serial number on the bottom? That tells me which batch it's from.\nCustomer: 123"
    )
    assert explains_why(grinder) == ("met", (1,))
    card = (
        "Klant: mijn pas doet het niet\nAgent: Wat is uw pasnummer? Dat laat mij de blokkade zien.\nKlant: 12"
    )
    assert explains_why(card) == ("met", (1,))
