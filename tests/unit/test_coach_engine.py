"""The coach's rules on small conversations written for them (not the corpus): one story per behaviour."""

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest

from attent.coach.engine import load_rules, score
from attent.coach.engine.due import BusinessHours
from attent.coach.engine.transcript import Line, Transcript
from attent.coach.pasted import parse_text
from attent.coach.schemas import say_reason
from attent.core.errors import Invalid

AMS = ZoneInfo("Europe/Amsterdam")
WEDNESDAY_10 = datetime(2026, 3, 4, 10, 0, tzinfo=AMS)


def card(text: str, **kw):
    return score(parse_text(text, started_at=WEDNESDAY_10), **kw)


def verdict(text: str, behaviour: str, **kw) -> tuple[str, tuple[int, ...]]:
    v = card(text, **kw).verdict(behaviour)
    return v.result, v.lines


def test_plain_text_reads_labels_stamps_and_wrapped_lines():
    t = parse_text(
        "[00:05] Agent: Goedemorgen\nKlant [00:09]: hoi\n01:02:03 Medewerker: ik kijk\n  even verder\n"
        "Customer: ok",
        started_at=WEDNESDAY_10,
    )
    assert [(line.speaker, line.t) for line in t.lines] == [
        ("agent", 5),
        ("customer", 9),
        ("agent", 3723),
        ("customer", None),
    ]
    assert t.lines[2].text == "ik kijk even verder"


def test_an_unknown_speaker_label_is_an_error_naming_the_line():
    with pytest.raises(Invalid) as error:
        parse_text("Agent: hallo\nManager: wie is dit", started_at=WEDNESDAY_10)
    assert "Line 2" in error.value.detail and "Manager" in error.value.detail


def test_explains_why_met_with_a_reason_and_missed_without():
    assert verdict(
        "Agent: Mag ik uw ordernummer? Dan zoek ik hem meteen op.\nKlant: 123", "explains_why"
    ) == (
        "met",
        (0,),
    )
    assert verdict("Agent: What's your postcode?\nCustomer: AB1 2CD", "explains_why") == ("missed", (0,))
    assert verdict("Agent: Hallo!\nKlant: hoi", "explains_why")[0] == "na"


def test_minimal_verification_flags_date_of_birth_unless_the_policy_asks_it():
    text = "Agent: Can I have your date of birth please?\nCustomer: 1 May 1970"
    assert verdict(text, "minimal_verification") == ("missed", (0,))
    assert verdict("Agent: Wat is uw pincode?\nKlant: 1234", "minimal_verification")[0] == "missed"
    pin_policy = ["customer.email", "customer.facts.pin"]  # a PIN the policy asks for is no miss
    assert verdict("Agent: Wat is uw pincode?", "minimal_verification", policy_facts=pin_policy)[0] == "na"
    assert verdict("Agent: Mag ik uw e-mailadres, ter verificatie?", "minimal_verification")[0] == "met"
    shipping = "Agent: Naar welk adres moet het vervangende pakket toe? Dan zet ik het klaar."
    assert verdict(shipping, "minimal_verification")[0] == "na"


def test_narrates_missed_on_a_bare_moment_met_on_saying_what():
    assert verdict("Klant: waar is mijn pakket\nAgent: Momentje.\nAgent: Ok.", "narrates") == ("missed", (1,))
    assert (
        verdict("Customer: where is it\nAgent: I'm checking the courier's status now.", "narrates")[0]
        == "met"
    )


def test_a_long_silence_is_a_silent_hold_unless_announced_with_what_and_how_long():
    silent = "[00:00] Klant: waar blijft het\n[00:05] Agent: Momentje.\n[00:50] Agent: Ok, ik zie het."
    assert verdict(silent, "no_silent_hold") == ("missed", (2,))
    told = (
        "[00:00] Klant: waar blijft het\n[00:05] Agent: Ik zet u even in de wacht om het magazijn te bellen, "
        "dat duurt ongeveer twee minuten.\n[00:07] Systeem: [in de wacht]\n[02:00] Agent: Daar ben ik weer."
    )
    assert verdict(told, "no_silent_hold")[0] == "met"
    colleague = (
        "[00:00] Customer: I called yesterday\n"
        "[00:05] Agent: Let me put you on hold for two minutes to see what "
        "my colleague already did.\n[02:10] Agent: Right."
    )
    assert verdict(colleague, "no_silent_hold")[0] == "missed"
    assert verdict("Agent: Hallo\nKlant: hoi", "no_silent_hold")[0] == "na"


def test_sets_expectation_needs_a_concrete_time():
    assert verdict("Agent: Dat duurt ongeveer 12 tot 15 minuten.", "sets_expectation") == ("met", (0,))
    assert verdict("Agent: We'll sort it as soon as possible.", "sets_expectation") == ("missed", (0,))
    assert verdict("Agent: Goedemiddag.", "sets_expectation")[0] == "na"


def test_a_while_is_vague_and_see_you_soon_is_a_goodbye_not_a_time():
    assert verdict("Agent: Dat lossen we op, maar het duurt even.", "sets_expectation") == ("missed", (0,))
    goodbye = "Agent: I'll ring you back within twenty minutes.\nAgent: Talk soon."
    assert verdict(goodbye, "sets_expectation") == ("met", (0,))


def test_empathy_in_the_customers_terms_versus_formula():
    kind = (
        "Klant: ik heb morgen gasten en de machine is kapot\n"
        "Agent: Wat vervelend, en dat terwijl u morgen gasten heeft."
    )
    assert verdict(kind, "empathy") == ("met", (1,))
    formula = "Customer: my parcel never arrived\nAgent: Sorry for the inconvenience."
    assert verdict(formula, "empathy") == ("missed", (1,))
    assert verdict("Klant: hoe laat zijn jullie open?\nAgent: Tot vijf uur.", "empathy")[0] == "na"


def test_recovery_needs_a_remedy_not_only_an_apology():
    sorry = "Customer: it arrived broken\nAgent: I'm so sorry about that."
    assert verdict(sorry, "recovery") == ("missed", (1,))
    remedy = "Klant: hij is kapot aangekomen\nAgent: Excuses! Ik stuur u kosteloos een nieuwe."
    assert verdict(remedy, "recovery") == ("met", (1,))


def test_confirms_next_step_and_closing_check_at_the_end():
    text = (
        "Klant: wanneer hoor ik iets\n"
        "Agent: Ik bel u morgen voor 12 uur terug met het antwoord van de bezorger.\n"
        "Agent: Kan ik u verder nog ergens mee helpen?\nKlant: nee"
    )
    assert verdict(text, "confirms_next_step") == ("met", (1,))
    assert verdict(text, "closing_check") == ("met", (2,))
    dropped = "Klant: hallo?\nAgent: Ik kijk even\nSysteem: [verbinding verbroken]"
    assert verdict(dropped, "closing_check")[0] == "na"
    assert verdict("Customer: thanks\nAgent: Bye then.\nCustomer: bye", "closing_check")[0] == "missed"


def test_promises_get_kind_and_due_time_from_the_line_time_and_business_hours():
    text = (
        "[00:00] Agent: Ik bel u binnen een kwartier terug.\n"
        "[01:00] Agent: You'll have the replacement tomorrow before noon.\n"
        "[02:00] Agent: I'll e-mail you the label by Friday.\n"
        "[03:00] Agent: Het geld staat binnen 3 werkdagen weer op uw rekening.\n"
        "[04:00] Agent: Ik stuur het zo snel mogelijk."
    )
    found = [(p.line, p.kind, p.due.isoformat()) for p in card(text).promises]
    assert found == [
        (0, "callback", "2026-03-04T10:15:00+01:00"),
        (1, "delivery", "2026-03-05T12:00:00+01:00"),
        (2, "follow_up", "2026-03-06T17:00:00+01:00"),
        (3, "refund", "2026-03-09T17:00:00+01:00"),
    ]


def test_business_hours_move_business_days_and_days_without_a_clock():
    hours = BusinessHours(days=(0, 1, 2, 3), end=time(16, 0))
    t = parse_text("Agent: U ontvangt binnen 2 werkdagen een e-mail.", started_at=WEDNESDAY_10)
    [promise] = score(t, hours=hours).promises
    assert promise.due.isoformat() == "2026-03-09T16:00:00+01:00"  # Thursday, then Monday; Friday is off


def test_language_per_contact_and_mixed_contacts():
    t = Transcript(
        (
            Line("agent", "Goedemorgen, waarmee kan ik u helpen?"),
            Line("customer", "Sorry, do you speak English? I don't speak Dutch."),
            Line("agent", "Of course! What is your order number, so I can look it up?"),
            Line("customer", "It is 4411, and my parcel never arrived."),
        ),
        started_at=WEDNESDAY_10,
    )
    result = score(t)
    assert (result.language, result.mixed) == ("en", True)
    assert result.line_languages[0] == "nl" and result.line_languages[2] == "en"
    assert result.verdict("explains_why").result == "met"


def test_empty_and_agentless_transcripts_get_an_empty_but_valid_scorecard():
    assert all(v.result == "na" for v in score(Transcript(())).verdicts)
    only_customer = score(Transcript((Line("customer", "hallo? mijn pakket is kapot"),)))
    assert all(v.result == "na" for v in only_customer.verdicts) and not only_customer.promises


def test_a_price_is_not_a_clock_time():
    at = datetime(2026, 11, 23, 9, 0, tzinfo=ZoneInfo("UTC"))  # a Monday
    line = "Agent: I'm refunding the 4.99 delivery fee, back on your card within 5 working days."
    card = score(parse_text(line, started_at=at, timezone="Europe/Amsterdam"))
    assert [(p.kind, p.due.isoformat()) for p in card.promises] == [("refund", "2026-11-30T17:00:00+01:00")]


@pytest.mark.parametrize(
    "text",
    [
        "Ik bel u om 14.75 terug, of om 25:10, of om 99:99.",
        "Het kost 12,60 per maand en 0.00 voor de eerste 3 maanden, tussen 88 en 99 uur.",
        "Your order 2026.11.23 ships at 1.2.3 and costs 1:99:00.",
    ],
)
def test_numbers_that_are_no_times_never_break_scoring(text):
    at = datetime(2026, 11, 23, 9, 0, tzinfo=ZoneInfo("UTC"))
    card = score(parse_text(f"Agent: {text}", started_at=at, timezone="Europe/Amsterdam"))
    assert len(card.verdicts) == 9
    assert all(p.kind != "callback" for p in card.promises)  # no call-back at 14:75, 25:10 or 99:99


def test_a_reason_is_a_catalog_message_the_product_says_in_the_readers_language():
    v = card("Agent: Wat is uw geboortedatum?\nKlant: 1 mei 1970").verdict("minimal_verification")
    assert v.reason == "Asked for more than the policy needs ({kinds}; line {lines})."
    assert dict(v.values) == {"kinds": "date_of_birth", "lines": "1"}
    assert say_reason(v, "nl") == "Vroeg meer dan het beleid nodig heeft (date_of_birth; regel 1)."
    assert say_reason(v, "en") == "Asked for more than the policy needs (date_of_birth; line 1)."
    silent = card("Klant: hallo?").verdict("closing_check")
    assert (silent.result, say_reason(silent, "nl")) == ("na", "Geen regels van de medewerker.")


def test_the_rule_book_holds_the_words_and_numbers_the_code_used_to():
    rules = load_rules()
    clauses, empathy = rules.clauses, rules.empathy
    assert clauses.bound.search("valid until ") and clauses.bound.search("ruim op tijd voor")
    assert not clauses.bound.search("until it is here")  # only at the end of the text before a time
    assert clauses.condition.match("maar als het vrijdag niet binnen is")
    assert clauses.condition_then.match("dan is hij vrijdag bij u")
    assert clauses.question_tag.sub("", "tomorrow at ten, okay?") == "tomorrow at ten"
    assert clauses.counted_back.match(" voor de monteur komt") and not clauses.counted_back.match(" morgen")
    assert clauses.clause_end.split("by friday, and then", maxsplit=1)[0] == "by friday"
    assert (clauses.short_step_minutes, clauses.confirm_window_lines, clauses.past_days) == (60, 3, 183)
    assert clauses.repeat.total_seconds() == 300
    assert (empathy.situation_words, empathy.min_words, empathy.backchannel_words) == (8, 4, 2)
    assert {"really", "gewoon", "the", "het"} <= empathy.not_content  # its own words and the language words
    assert rules.forbidden[0] == "date_of_birth" and set(rules.forbidden) == set(rules.policy_facts)
    assert rules.time_gate.search("binnen een kwartier") and not rules.time_gate.search("dank u wel")
    assert rules.speaker_labels["beller"] == "customer" and rules.speaker_labels["mw"] == "agent"
