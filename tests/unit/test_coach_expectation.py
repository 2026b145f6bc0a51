"""Setting an expectation, in small stories written for the rules (not from the corpus).

The ideas the rules missed before: a farewell ("tot straks") names no time, as "see you soon" does not in
English; and a vague time is no miss when the same step gets a concrete time later (the corpus README).
"""

from datetime import datetime
from zoneinfo import ZoneInfo

from attent.coach.engine import score
from attent.coach.pasted import parse_text

WEDNESDAY_10 = datetime(2026, 3, 4, 10, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))


def expectation(text: str) -> tuple[str, tuple[int, ...]]:
    v = score(parse_text(text, started_at=WEDNESDAY_10)).verdict("sets_expectation")
    return v.result, v.lines


def test_a_dutch_farewell_is_no_vague_time():
    for bye in ("Tot straks!", "Fijne dag en tot binnenkort."):
        text = f"Klant: wanneer?\nAgent: Ik bel je vandaag voor drie uur terug.\nKlant: top\nAgent: {bye}"
        assert expectation(text) == ("met", (1,)), bye


def test_a_vague_time_is_forgiven_when_the_same_step_gets_a_concrete_one_later():
    visit = (
        "Customer: I need a visit\nAgent: Let's get you an appointment with an engineer soon.\nCustomer: ok\n"
        "Agent: I've booked it; the engineer comes tomorrow between 8 and 12."
    )
    assert expectation(visit) == ("met", (3,))
    dutch = (
        "Klant: ik wil een afspraak\nAgent: We maken binnenkort een afspraak met de monteur.\nKlant: ok\n"
        "Agent: De monteur komt morgen tussen 8 en 12 uur."
    )
    assert expectation(dutch) == ("met", (3,))


def test_a_concrete_time_for_another_step_does_not_forgive_the_vague_one():
    refund = (
        "Customer: where's my refund\nAgent: Your refund will be processed shortly.\nCustomer: ok\n"
        "Agent: And the engineer comes tomorrow between 8 and 12."
    )
    assert expectation(refund) == ("missed", (1,))
