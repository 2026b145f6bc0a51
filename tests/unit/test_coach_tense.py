"""A weekday or a date said of the past is no promise and no expectation; one said as a target stays ahead."""

from datetime import UTC, datetime

import pytest

from attent.coach.engine import score
from attent.coach.engine.reading import Reading
from attent.coach.engine.rules import load_rules
from attent.coach.engine.tense import said_of_the_past
from attent.coach.engine.transcript import Line, Transcript
from attent.coach.engine.verdicts import Scorecard

AT = datetime(2026, 3, 4, 9, 0, tzinfo=UTC)  # a Wednesday


def _day_said_of_the_past(text: str, day: str, code: str) -> bool:
    start = text.index(day)
    return said_of_the_past(text, start, start + len(day), code)


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("i see you called on monday about the boiler", "monday"),
        ("you paid on the 3rd so that part is fine", "the 3rd"),
        ("my colleague rang you back on tuesday evening", "tuesday"),
        ("the parcel was handed to the courier on friday", "friday"),
        ("we received your form on the 12th of march", "the 12th"),
    ],
)
def test_english_days_in_a_past_clause_have_passed(text: str, day: str) -> None:
    assert _day_said_of_the_past(text, day, "en")


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("i'll ring you on monday before noon", "monday"),
        ("i've booked the fitter for friday morning", "friday"),
        ("we moved the delivery to thursday", "thursday"),
        ("it shipped yesterday and arrives friday", "friday"),
        ("it is scheduled friday at ten", "friday"),
        ("we need it on monday", "monday"),
        ("you ordered it last week, you'll have it on saturday", "saturday"),
    ],
)
def test_english_days_ahead_stay_ahead(text: str, day: str) -> None:
    assert not _day_said_of_the_past(text, day, "en")


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("ik zie dat u maandag al heeft gebeld over de ketel", "maandag"),
        ("u heeft het op vrijdag besteld", "vrijdag"),
        ("mijn collega heeft u dinsdag teruggebeld", "dinsdag"),
        ("het formulier is op 3 maart bij ons binnengekomen", "3 maart"),
        ("de bundel werd op 1 augustus verzonden", "1 augustus"),
    ],
)
def test_dutch_days_in_a_perfect_clause_have_passed(text: str, day: str) -> None:
    assert _day_said_of_the_past(text, day, "nl")


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("ik bel u maandag voor twaalf uur terug", "maandag"),
        ("ik heb de monteur voor vrijdag ingepland", "vrijdag"),
        ("ik heb de afspraak naar donderdag verzet", "donderdag"),
        ("dan heeft u het vrijdag ontvangen", "vrijdag"),
        ("hij verstuurt het vrijdag", "vrijdag"),
        ("ik ga het woensdag voor u regelen", "woensdag"),
    ],
)
def test_dutch_days_ahead_stay_ahead(text: str, day: str) -> None:
    assert not _day_said_of_the_past(text, day, "nl")


def _card(*agent_lines: str) -> Scorecard:
    lines = tuple(Line("agent", text, float(10 * n)) for n, text in enumerate(agent_lines))
    return score(Transcript(lines, started_at=AT, timezone="Europe/Amsterdam"))


def test_a_past_day_makes_no_promise_and_the_next_moment_counts() -> None:
    card = _card("You ordered it on Friday, and I'll ship it tomorrow before noon.")
    assert [(p.kind, p.due.isoformat()) for p in card.promises] == [("delivery", "2026-03-05T12:00:00+01:00")]
    card = _card("Mijn collega heeft u dinsdag teruggebeld.")
    assert card.promises == ()
    expectation = next(v for v in card.verdicts if v.behaviour == "sets_expectation")
    assert expectation.result == "na"


def test_the_reading_keeps_days_ahead_and_drops_days_past() -> None:
    lines = (Line("agent", "I see you called on Monday; I'll call you back on Friday."),)
    reading = Reading(Transcript(lines, started_at=AT), load_rules())
    assert [bit.kind for bit in reading.times(0)] == ["weekday"]
    assert reading.text[0][reading.times(0)[0].start :].startswith("friday")
