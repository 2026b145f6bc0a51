"""An agent who says what they are doing and how long it takes is narrating, not holding silently.

The demo's own good line ("Ik zoek nu de zending op… duurt ongeveer 12 tot 15 minuten") was marked a silent
hold and a bare "momentje". These stories, in Dutch and English, pin down the rules behind that: what counts
as saying what and how long, that a silence is not reported as a "momentje" nobody said, whose pause a
pause is, and the step and times such lines name.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from attent.coach.engine import score
from attent.coach.pasted import parse_text
from attent.coach.schemas import say_reason

WEDNESDAY_10 = datetime(2026, 3, 4, 10, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))


def card(text: str):
    return score(parse_text(text, started_at=WEDNESDAY_10))


def results(text: str, *behaviours: str) -> tuple[str, ...]:
    scored = card(text)
    return tuple(scored.verdict(b).result for b in behaviours)


ANNOUNCED_THEN_HOLD = [
    # (the agent's announcement, what the agent says after the long wait): said what and how long first.
    (
        "Klant: mijn pakket is nooit aangekomen\n[00:10] Agent: Dank u. Ik zoek nu de zending op bij de "
        "vervoerder. De volgende stap, het matchen van de factuur, duurt ongeveer 12 tot 15 minuten. Zet u "
        "mij gerust op de speaker; ik blijf aan de lijn.\n[00:25] Klant: Prima.\n"
        "[13:00] Agent: Daar ben ik weer."
    ),
    (
        "Klant: waar blijft mijn pakket\n[00:10] Agent: Ik zoek nu de zending op… dat duurt ongeveer 12 tot "
        "15 minuten.\n[00:20] Klant: oké\n[12:30] Agent: Ik ben er weer."
    ),
    (
        "Klant: de factuur klopt niet\n[00:10] Agent: Wat ik nu ga doen: ik geef het door aan de boekhouding "
        "zodat de oude factuur wordt weggestreept. Dat kost me ongeveer tien minuten.\n"
        "[00:30] Klant: doe maar\n[10:40] Agent: Mevrouw? Daar ben ik weer, dank u voor het wachten."
    ),
    (
        "Customer: my parcel never came\n[00:10] Agent: Thanks. I'm looking up the shipment with the courier "
        "now. The next step, matching the invoice, takes about 12 to 15 minutes. Put me on speaker if you "
        "like; I'll stay on the line.\n[00:25] Customer: Fine.\n[13:00] Agent: I'm back."
    ),
    (
        "Customer: the bill is wrong\n[00:10] Agent: Here's what I'm going to do: I'll pass it to our "
        "accounts team so the old invoice is cancelled. That takes about ten minutes.\n[00:30] Customer: ok"
        "\n[10:40] Agent: Thanks for waiting."
    ),
    (
        "Customer: where is it\n[00:10] Agent: I'm checking with the courier now… that takes about two "
        "minutes.\n[02:30] Agent: Right, I can see it."
    ),
]


@pytest.mark.parametrize("text", ANNOUNCED_THEN_HOLD)
def test_saying_what_and_how_long_before_a_long_wait_narrates_and_is_no_silent_hold(text):
    assert results(text, "narrates", "no_silent_hold", "sets_expectation") == ("met", "met", "met")


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Agent: De volgende stap, het matchen van de factuur, duurt ongeveer 12 tot 15 minuten.", "step"),
        ("Agent: Ik zoek nu de zending op… duurt ongeveer 12 tot 15 minuten.", "step"),
        ("Agent: The next step, matching the invoice, takes about 12 to 15 minutes.", "step"),
        ("Agent: I'll e-mail you the invoice within 15 minutes.", "follow_up"),  # a thing sent: not a step
    ],
)
def test_a_step_said_after_an_aside_is_the_work_under_way(text, kind):
    [promise] = card(text).promises
    assert promise.kind == kind


def test_a_silence_nobody_filled_is_not_reported_as_a_momentje():
    silent = "[00:00] Klant: waar blijft het\n[00:05] Agent: Mag ik uw ordernummer?\n[00:10] Klant: 4411\n" \
        "[01:30] Agent: Ik zie het, het komt morgen."  # fmt: skip
    narrates = card(silent).verdict("narrates")
    assert narrates.result == "missed" and narrates.lines == (3,)
    assert "momentje" not in say_reason(narrates, "nl") and "one moment" not in say_reason(narrates, "en")
    assert say_reason(narrates, "en").startswith("Hold or silence without saying what was being done")
    bare = "[00:00] Klant: waar blijft het\n[00:05] Agent: Momentje.\n[01:30] Agent: Ik zie het."
    assert "momentje" in say_reason(card(bare).verdict("narrates"), "nl")  # one was said: then it says so


@pytest.mark.parametrize(
    "text",
    [
        "[00:00] Klant: mijn machine lekt, kan iemand mij bellen?\n[00:20] Agent: Dat is lastig als u net "
        "koffie wilt zetten. Ik vraag het na bij onze technicus en bel u vandaag vóór 16:30 terug.\n"
        "[01:20] Klant: Graag, dank u.",
        "[00:00] Customer: my machine leaks, can someone call me?\n[00:20] Agent: That's annoying when you "
        "just want a coffee. I'll ask our technician and call you back today before 16:30.\n"
        "[01:20] Customer: Great, thanks.",
    ],
)
def test_the_customers_own_pause_after_a_whole_answer_is_no_hold(text):
    assert results(text, "no_silent_hold", "narrates") == ("na", "met")


@pytest.mark.parametrize(
    "text",
    [
        "[00:00] Customer: where is it\n[00:05] Agent: Right.\n[00:45] Customer: hello? are you there?",
        "[00:00] Klant: waar is het\n[00:05] Agent: Ik kijk het even na in ons systeem.\n"
        "[00:45] Klant: hallo?",
    ],
)
def test_a_customer_left_waiting_on_the_agent_still_makes_a_silent_hold(text):
    assert results(text, "no_silent_hold") == ("missed",)


@pytest.mark.parametrize(
    "text",
    [
        "Klant: we landen pas om 22:40, zijn de winkels dan open?\n"
        "Agent: De winkels zijn dan dicht, maar wij zorgen dat er bij aankomst een maaltijd klaarstaat.",
        "Customer: my husband turns 50 while we stay with you, can you help me surprise him?\nAgent: What a "
        "lovely occasion. We'll arrange a cake on the terrace on his birthday.",
    ],
)
def test_a_moment_both_sides_know_sets_the_expectation_without_a_clock(text):
    assert results(text, "sets_expectation", "confirms_next_step") == ("met", "met")
    assert card(text).promises == ()  # no due time to keep watch over


def test_a_formula_followed_by_the_plan_is_no_empathy_and_naming_the_situation_is():
    formula = "Klant: Mijn melkopschuimer is na een week kapot gegaan.\nAgent: Wat jammer! " \
        "Ik mail u morgen vóór 17:00 een retourlabel; dan sturen wij direct een nieuwe."  # fmt: skip
    assert results(formula, "empathy") == ("missed",)
    named = "Klant: Mijn melkopschuimer is na een week kapot gegaan.\nAgent: Wat jammer, na een week al " \
        "kapot terwijl u er net zo blij mee was. Ik mail u morgen vóór 17:00 een retourlabel."  # fmt: skip
    assert results(named, "empathy") == ("met",)


def test_capsules_that_arrived_leaking_are_ours_to_make_right_in_both_languages():
    nl = "Klant: Hoi, mijn capsules zijn lek aangekomen.\nAgent: Ik stuur u vandaag een nieuwe doos."
    en = "Customer: Hi, my capsules arrived leaking.\nAgent: I'll send you a new box today."
    assert results(nl, "recovery") == results(en, "recovery") == ("met",)


def test_asking_the_courier_to_deliver_today_is_a_delivery_promise():
    [promise] = card("Agent: Ik heb de koerier gevraagd het vandaag vóór 15:25 te bezorgen.").promises
    assert promise.kind == "delivery" and promise.due.hour == 15 and promise.due.minute == 25
