"""Promise extraction: kinds and due times by the corpus README's conventions, in invented sentences."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from attent.coach.engine import score
from attent.coach.pasted import parse_text

AMS = ZoneInfo("Europe/Amsterdam")
WEDNESDAY_10 = datetime(2026, 3, 4, 10, 0, tzinfo=AMS)
WEDNESDAY_1630 = datetime(2026, 3, 4, 16, 30, tzinfo=AMS)
FRIDAY_15 = datetime(2026, 3, 6, 15, 0, tzinfo=AMS)


def promises(text: str, at: datetime = WEDNESDAY_10) -> list[tuple[int, str, str]]:
    card = score(parse_text(text, started_at=at))
    return [(p.line, p.kind, p.due.strftime("%m-%d %H:%M")) for p in card.promises]


@pytest.mark.parametrize(
    ("line", "kind", "due"),
    [
        ("I'll call you back this afternoon before four.", "callback", "03-04 16:00"),
        ("Ik bel u om half drie terug.", "callback", "03-04 14:30"),
        ("Ik bel u donderdagochtend terug.", "callback", "03-05 12:00"),
        ("Ik bel u over een minuut of tien terug.", "callback", "03-04 10:10"),
        ("I'll e-mail you within an hour and a half.", "follow_up", "03-04 11:30"),
        ("Ik laat het u voor het eind van de week weten.", "follow_up", "03-06 17:00"),
        ("Ik neem morgen contact met u op.", "follow_up", "03-05 17:00"),
        ("Ik kom er vrijdag op terug.", "follow_up", "03-06 17:00"),
        ("The engineer comes tomorrow between 8 and 12.", "other", "03-05 12:00"),
        ("I'll call you on the 12th.", "callback", "03-12 17:00"),
        ("I'll call you on Friday the sixth, at ten in the morning.", "callback", "03-06 10:00"),
        ("The money is back in your account within five working days.", "refund", "03-11 17:00"),
        ("Ik bel u over 10 a 15 minuten terug.", "callback", "03-04 10:15"),
    ],
)
def test_kind_and_due_time_in_both_languages(line: str, kind: str, due: str) -> None:
    assert promises(f"Agent: {line}") == [(0, kind, due)]


def test_a_clock_time_already_past_today_is_tomorrow() -> None:
    assert promises("Agent: I'll call you back before noon.", WEDNESDAY_1630) == [
        (0, "callback", "03-05 12:00")
    ]


def test_business_days_skip_the_weekend() -> None:
    found = promises("Agent: U krijgt binnen 2 werkdagen een mail.", FRIDAY_15)
    assert found == [(0, "follow_up", "03-10 17:00")]


def test_what_arrives_is_what_was_sent_before() -> None:
    link = "Agent: I'm sending you a link to reset it. It arrives within 10 minutes."
    assert promises(link) == [(0, "follow_up", "03-04 10:10")]
    card = "Agent: I'll send you a new card; it arrives within five working days."
    assert promises(card) == [(0, "delivery", "03-11 17:00")]
    mail = "Agent: Ik maak het overzicht en mail je dat. Je hebt het binnen een half uur."
    assert promises(mail) == [(0, "follow_up", "03-04 10:30")]


@pytest.mark.parametrize(
    "line",
    [
        "If it hasn't arrived by Friday, I'll call you on Monday.",
        "Als het pakket vrijdag niet binnen is, bel ik u maandag.",
        "Parcels are usually delivered within 3 days.",
        "From the second of April your boxes go to the new address.",
        "U kunt de stekker eruit halen en er na tien seconden weer in doen.",
        "Die kunt u vandaag nog ophalen.",
        "A birthday present for Saturday, then we really want it with you before then.",
    ],
)
def test_no_promise_in_conditions_general_statements_bounds_and_the_customers_task(line: str) -> None:
    assert promises(f"Agent: {line}") == []


def test_a_time_counted_back_from_another_moment_is_no_due_time() -> None:
    text = "Agent: Booked for Friday between eight and twelve; he texts you half an hour before he comes."
    assert promises(text) == [(0, "other", "03-06 12:00")]


def test_the_length_of_a_booked_visit_is_not_a_step_under_way() -> None:
    text = "Agent: The repair is booked for Friday between eight and twelve. It takes about half an hour."
    assert promises(text) == [(0, "other", "03-06 12:00")]


def test_a_slot_confirmed_without_its_time_takes_the_slot_just_named() -> None:
    text = (
        "Agent: Donderdag kan ik u om 14:15 inplannen.\n"
        "Klant: Donderdag kwart over twee, dat lukt.\n"
        "Agent: Ik zet het vast."
    )
    assert promises(text) == [(2, "other", "03-05 14:15")]


def test_a_date_a_few_weeks_back_is_the_past_not_next_year() -> None:
    text = "Agent: The invoice of 17 February is credited; it's on your account within two working days."
    assert all(due.startswith("03-") for _, _, due in promises(text))


def test_two_messages_on_different_days_are_two_promises_but_dispatch_and_arrival_one() -> None:
    two = "Agent: You'll get the contract by e-mail within the hour, and the welcome pack next week."
    assert promises(two) == [(0, "follow_up", "03-04 11:00"), (0, "follow_up", "03-13 17:00")]
    one = "Agent: Het pakket wordt vandaag verstuurd en ligt morgen voor 12:00 bij u."
    assert promises(one) == [(0, "delivery", "03-05 12:00")]


def test_the_then_sentence_after_a_condition_is_no_promise() -> None:
    text = "Agent: Als u vandaag nog bestelt, zet ik voorrang klaar; dan heeft u hem vrijdag voor 12:00."
    assert promises(text) == []
    plain = "Agent: Ik zet voorrang klaar; dan heeft u hem vrijdag voor 12:00."
    assert promises(plain) == [(0, "delivery", "03-06 12:00")]


def test_that_takes_is_the_step_at_hand_even_where_the_sentence_names_the_courier() -> None:
    text = "Agent: I'm checking the driver's scan of the parcel, that takes about a minute."
    assert promises(text) == [(0, "step", "03-04 10:01")]


@pytest.mark.parametrize(
    ("line", "kind", "due"),
    [
        ("Dan komt het donderdag voor 13:00 bij u aan.", "delivery", "03-05 13:00"),
        ("Ik stuur vandaag een nieuwe, die is vrijdag bij u.", "delivery", "03-06 17:00"),
        ("Dan staat u morgen om 9:40 genoteerd.", "other", "03-05 09:40"),
        ("De monteurs verwachten dat het om 14:00 weer werkt.", "other", "03-04 14:00"),
    ],
)
def test_dutch_word_order_splits_the_verb_from_its_kind(line: str, kind: str, due: str) -> None:
    assert promises(f"Agent: {line}") == [(0, kind, due)]
