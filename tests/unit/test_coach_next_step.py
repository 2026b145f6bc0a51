"""Confirming the next step and the promises it rests on, in small stories written for the rules.

Each test is one idea the rules missed before: a closing line that commits to a time in its own words, a
recap that opens mid-line or with a lead-in, a reason that starts with "then", money landing on the
customer's own card, a wish, the length of a visit, and one arrival said twice in one line.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

from attent.coach.engine import score
from attent.coach.pasted import parse_text

WEDNESDAY_10 = datetime(2026, 3, 4, 10, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))


def next_step(text: str) -> tuple[str, tuple[int, ...]]:
    v = score(parse_text(text, started_at=WEDNESDAY_10)).verdict("confirms_next_step")
    return v.result, v.lines


def promises(text: str) -> list[tuple[int, str, str]]:
    card = score(parse_text(text, started_at=WEDNESDAY_10))
    return [(p.line, p.kind, p.due.strftime("%m-%d %H:%M")) for p in card.promises]


def test_a_closing_line_that_commits_to_a_time_confirms_the_next_step_without_a_cue_word():
    form = (
        "Customer: my form never came\n"
        "Agent: I'm sorry. The form reaches you by e-mail within the hour.\n"
        "Agent: Anything else I can help with?\nCustomer: no"
    )
    assert next_step(form) == ("met", (1,))


def test_a_recap_that_opens_after_the_first_sentence_confirms_the_next_step():
    lamp = (
        "Customer: the lamp is broken\n"
        "Agent: I'm sending a new lamp; the courier brings it tomorrow before noon.\nCustomer: ok\n"
        "Agent: Done. So: tomorrow before noon the courier brings the new lamp.\n"
        "Agent: Anything else?\nCustomer: no"
    )
    assert next_step(lamp) == ("met", (1, 3))


def test_a_recap_lead_in_with_a_colon_confirms_the_next_step():
    for recap in ("To go over it: the engineer on Friday.", "In short: the engineer on Friday."):
        text = f"Customer: no heating\nAgent: Sorry to hear.\nAgent: {recap}\nAgent: Anything else?"
        assert next_step(text) == ("met", (2,)), recap
    dutch = (
        "Klant: geen verwarming\nAgent: Vervelend.\nAgent: Kort gezegd: de monteur vrijdag.\n"
        "Agent: Verder nog iets?"
    )
    assert next_step(dutch) == ("met", (2,))


def test_then_as_a_reason_or_a_conclusion_is_no_next_step():
    roaming = (
        "Customer: does my plan include roaming?\n"
        "Agent: Could you give me your customer number? Then I can look at your plan.\nCustomer: 12345\n"
        "Agent: Then you're all set: roaming in Europe is included.\nAgent: Anything else?\nCustomer: no"
    )
    assert next_step(roaming) == ("na", ())


def test_money_on_the_customers_own_card_or_account_is_a_refund():
    assert promises(
        "Agent: You'll see the 30 pounds on the card you paid with within three working days."
    ) == [(0, "refund", "03-09 17:00")]
    assert promises("Agent: So that's 12 euros, paid into your bank account by Friday.") == [
        (0, "refund", "03-06 17:00")
    ]
    assert promises("Agent: De 12 euro staat vrijdag op je bankrekening.") == [(0, "refund", "03-06 17:00")]


def test_a_wish_is_no_promise():
    assert promises("Agent: Hopefully the new router arrives on Friday.") == []
    assert promises("Agent: Enjoy your new bike when it arrives on Friday!") == []
    assert promises("Agent: Hopelijk is het pakket vrijdag bij u.") == []


def test_how_long_a_booked_visit_takes_is_no_delivery_under_way():
    visit = "Agent: The engineer comes on Monday between 8 and 12; the replacement takes about forty minutes."
    assert promises(visit) == [(0, "other", "03-09 12:00")]


def test_an_arrival_said_plainly_and_then_with_its_time_is_one_promise_at_that_time():
    assert promises("Agent: It'll be Thursday now. The parcel arrives on Thursday before 11:00.") == [
        (0, "delivery", "03-05 11:00")
    ]
    assert promises("Agent: Het wordt donderdag. Het pakket is donderdag voor 11:00 bij u.") == [
        (0, "delivery", "03-05 11:00")
    ]
