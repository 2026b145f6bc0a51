"""Recovery and empathy (`engine.care`) on small stories written for the rules, not from the corpus.

Each test is one kind of error the rule used to make: who reports the failure, a remedy that is only the
service, a remedy asked or refused instead of offered, a recap, an admission without the words 'our fault'.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

from attent.coach.engine import score
from attent.coach.pasted import parse_text

WEDNESDAY_10 = datetime(2026, 3, 4, 10, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))


def recovery(text: str) -> tuple[str, tuple[int, ...]]:
    v = score(parse_text(text, started_at=WEDNESDAY_10)).verdict("recovery")
    return v.result, v.lines


def test_an_admission_in_other_words_than_our_fault_makes_recovery_apply():
    warehouse = (
        "Klant: er zat de verkeerde koffie in de doos\n"
        "Agent: Ik zie het, dat is in het magazijn verkeerd gegaan.\n"
        "Agent: Fijne dag."
    )
    assert recovery(warehouse)[0] == "missed"
    ours = "Agent: De automaat had een storing. Dat ligt dus aan ons.\nAgent: Ik zet het op de lijst."
    assert recovery(ours)[0] == "missed"
    copied = "Agent: The promotion code was never copied to your contract.\nAgent: Anything else?"
    assert recovery(copied)[0] == "missed"


def test_a_bare_formula_is_the_missed_line_once_something_of_ours_went_wrong():
    text = (
        "Agent: Ik zie het: bij de update is het pakket uitgezet. Dat is bij ons misgegaan.\n"
        "Klant: en nu?\n"
        "Agent: Sorry voor het ongemak."
    )
    assert recovery(text) == ("missed", (2,))


def test_the_engineer_who_repairs_what_broke_is_the_service_not_its_recovery():
    repair = (
        "Klant: de lantaarnpaal is al weken kapot\n"
        "Agent: De monteur komt binnen vijf werkdagen om hem te repareren."
    )
    assert recovery(repair)[0] == "missed"
    extra = repair + "\nAgent: En voor de moeite krijgt u een cadeaubon van 20 euro."
    assert recovery(extra) == ("met", (2,))


def test_a_remedy_asked_refused_or_only_looked_into_is_no_offer():
    asked = "Customer: my parcel arrived damaged\nAgent: Would you like a replacement?"
    assert recovery(asked)[0] == "missed"
    refused = "Customer: you charged me twice\nAgent: I'm sorry, I can't refund that myself."
    assert recovery(refused)[0] == "missed"
    looked = "Customer: the order never arrived\nAgent: Sorry, I'll see what I can do about a refund."
    assert recovery(looked)[0] == "missed"
    liked = "Customer: the order never arrived\nAgent: Sorry! If you like, I'll send a replacement today."
    assert recovery(liked) == ("met", (1,))


def test_the_offer_is_the_evidence_not_the_recap_that_repeats_it():
    text = (
        "Customer: the parcel never arrived\n"
        "Agent: That went wrong on our side. I'm sending a replacement today.\n"
        "Agent: So: the replacement arrives tomorrow."
    )
    assert recovery(text) == ("met", (1,))


def test_sorry_for_a_limit_is_not_a_failure_of_ours():
    text = (
        "Klant: er zit een barst in mijn voorruit door een steen\n"
        "Agent: Morgen om half acht kan het. Eerder is niet mogelijk, sorry."
    )
    assert recovery(text)[0] == "na"


def test_money_owed_after_a_reassessment_is_making_it_right():
    text = (
        "Agent: De behandelingen zijn per ongeluk bij dit jaar opgeteld.\n"
        "Agent: Ik heb de declaratie opnieuw laten beoordelen en goedgekeurd."
    )
    assert recovery(text) == ("met", (1,))


def test_we_regret_is_the_apology_that_stood_alone():
    text = "Customer: my parcel arrived broken\nAgent: We regret to hear that your parcel arrived damaged."
    assert recovery(text) == ("missed", (1,))


def test_a_customer_who_owns_the_mistake_needs_no_recovery_unless_we_admit_one():
    own = (
        "Klant: mijn pakket is nooit aangekomen\n"
        "Agent: Ik zie dat het naar huisnummer 41 ging in plaats van 14.\n"
        "Klant: o nee, dan heb ik het zelf verkeerd ingevuld\n"
        "Agent: Geen probleem, ik pas het aan."
    )
    assert recovery(own)[0] == "na"
    not_own = "Customer: the parcel never arrived, and it's not my fault\nAgent: Sorry about that."
    assert recovery(not_own) == ("missed", (1,))


def test_a_failure_the_agent_finds_in_our_records_is_an_admission():
    found = "Agent: Our records show the direct debit was collected twice.\nAgent: Anything else?"
    assert recovery(found)[0] == "missed"
    echoed = "Agent: A broken boiler in January, what dreadful timing."
    assert recovery(echoed)[0] == "na"


def test_a_voucher_named_or_a_bill_corrected_is_not_a_gesture():
    named = "Agent: Can you read me the code on your voucher? Then I can apply it to the bike."
    assert recovery(named)[0] == "na"
    corrected = (
        "Customer: the promotion was never applied to my contract\n"
        "Agent: That was our mistake, I'm sorry.\n"
        "Agent: Our accounts team will correct the invoice."
    )
    assert recovery(corrected) == ("missed", (1,))
    given = corrected + "\nAgent: And I'm adding a 20 euro voucher for the trouble."
    assert recovery(given) == ("met", (3,))


def test_a_gift_counts_when_we_give_it_not_when_the_customer_bought_one():
    theirs = "Klant: de vaas is in stukken aangekomen\nAgent: Ach, en het was een cadeau voor uw moeder."
    assert recovery(theirs)[0] == "missed"
    ours = theirs + "\nAgent: We sturen kosteloos een nieuwe, en als goedmaker doe ik er een bloemetje bij."
    assert recovery(ours) == ("met", (2,))


def test_the_engineer_who_replaces_a_faulty_part_is_the_service_not_its_recovery():
    repair = (
        "Klant: mijn internet doet het al drie dagen niet\n"
        "Agent: Dat is aan onze kant misgelopen. De monteur vervangt morgen het kastje."
    )
    assert recovery(repair) == ("missed", ())
    goods = "Customer: the kettle you sold me leaks\nAgent: Our mistake. We'll replace it."
    assert recovery(goods) == ("met", (1,))


def test_a_failure_the_agent_states_and_makes_up_for_is_a_recovery_met():
    stated = "Agent: The box was damaged in transit.\nAgent: We'll post a replacement today, free of charge."
    assert recovery(stated) == ("met", (1,))
    echoed = (
        "Agent: A soaked carpet and a baby in the house, what a week.\n"
        "Agent: Please keep the broken items for the assessor; we pay for a hotel up to 120 euros a night."
    )
    assert recovery(echoed)[0] == "na"


def test_dutch_names_the_customers_moment_as_the_english_book_does():
    """'Net voor uw verhuizing', 'en dan ook nog': the Dutch for 'right before', 'on top of'."""

    def empathy(text: str) -> tuple[str, tuple[int, ...]]:
        v = score(parse_text(text, started_at=WEDNESDAY_10)).verdict("empathy")
        return v.result, v.lines

    moving = (
        "Klant: mijn verwarming is kapot en ik verhuis morgen\n"
        "Agent: Net voor uw verhuizing, dat is het laatste wat u nodig heeft."
    )
    assert empathy(moving) == ("met", (1,))
    holiday = (
        "Klant: de fiets is nog steeds niet klaar, ik zou er vandaag mee op vakantie\n"
        "Agent: En dan ook nog op de dag dat u vertrekt. Ik regel een leenfiets voor u."
    )
    assert empathy(holiday) == ("met", (1,))


def test_what_it_costs_the_customer_is_acknowledged_in_both_languages():
    """'A real worry', 'days before the wedding', 'een flinke klap', a bare 'Vervelend, ...' that names it."""

    def empathy(text: str) -> tuple[str, tuple[int, ...]]:
        v = score(parse_text(text, started_at=WEDNESDAY_10)).verdict("empathy")
        return v.result, v.lines

    worry = (
        "Customer: I got a letter saying I owe 900 pounds, I'm a student\n"
        "Agent: A bill like that is a real worry on a student budget. Let's look at it together."
    )
    assert empathy(worry) == ("met", (1,))
    dress = (
        "Customer: the dress hasn't arrived and I need it\n"
        "Agent: Two days before your sister's wedding, and no dress. Let's sort that first."
    )
    assert empathy(dress) == ("met", (1,))
    pension = (
        "Klant: mijn voorschot is ineens 80 euro hoger, ik ben net met pensioen\n"
        "Agent: Dat is een flinke klap, net na uw pensioen. Ik kijk waar het vandaan komt."
    )
    assert empathy(pension) == ("met", (1,))
    twice = "Klant: twee keer gefactureerd\nAgent: Vervelend, twee facturen voor één maand. Ik zoek het uit."
    assert empathy(twice) == ("met", (1,))
    formula = "Klant: ik ben twee keer gefactureerd\nAgent: Vervelend voor u. Ik zoek het uit."
    assert empathy(formula) == ("missed", (1,))


def test_hard_enough_acknowledges_the_situation_and_promises_nothing():
    """'Arriving at two with a toddler is hard enough': the customer's night, not a delivery."""
    late = (
        "Customer: our flight lands late, we get to the house at two\n"
        "Agent: Arriving at two in the morning with a toddler is hard enough as it is."
    )
    card = score(parse_text(late, started_at=WEDNESDAY_10))
    assert card.verdict("empathy").result == "met"
    assert card.promises == ()
    dutch = (
        "Klant: we komen pas om middernacht aan met de kinderen\n"
        "Agent: Om middernacht aankomen met drie kinderen is al zwaar genoeg."
    )
    assert score(parse_text(dutch, started_at=WEDNESDAY_10)).verdict("empathy").result == "met"
