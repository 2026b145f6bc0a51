"""Recovery listens for ideas, not corpus lines: paraphrases written for these tests (never copied from the
corpus) of a failure reported, an offer to make it right, and what is neither, in both languages."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from attent.coach.engine import score
from attent.coach.engine.transcript import Line, Transcript

WEDNESDAY_10 = datetime(2026, 3, 4, 10, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))
COMPLAINT = {"nl": "mijn bestelling is nooit aangekomen", "en": "my order never arrived"}
OPENING = {
    "nl": "ja goedemorgen, ik heb een vraag over mijn bestelling",
    "en": "hi, I have a question about my order",
}
REPLY = {"nl": "Oké, dank u.", "en": "Okay, thank you."}


def recovery(*lines: tuple[str, str]) -> tuple[str, tuple[int, ...]]:
    """The recovery verdict on a contact of (speaker, text) lines, a line a second apart."""
    transcript = Transcript(
        tuple(Line(speaker, text, n) for n, (speaker, text) in enumerate(lines)),
        started_at=WEDNESDAY_10,
        timezone="Europe/Amsterdam",
    )
    v = score(transcript).verdict("recovery")
    return v.result, v.lines


FAILURES = [
    ("en", "my order still hasn't turned up"),
    ("en", "i'm still waiting for my parcel, it's been two weeks"),
    ("en", "you took the money twice"),
    ("en", "the payment went out twice"),
    ("en", "i was charged after i cancelled"),
    ("en", "the engineer never showed"),
    ("en", "nobody turned up yesterday"),
    ("en", "the box was soaking wet"),
    ("en", "the lid was missing"),
    ("en", "half the order is missing"),
    ("en", "you sent me the wrong size"),
    ("en", "it arrived in bits"),
    ("en", "the screen is cracked"),
    ("en", "the machine stopped working after a week"),
    ("en", "i was told it would be free but i got charged"),
    ("en", "your colleague told me something different"),
    ("en", "i was promised a callback three times and nobody rang"),
    ("en", "the discount wasn't applied"),
    ("en", "my bins weren't emptied"),
    ("en", "the heating's been off since monday"),
    ("en", "the internet keeps dropping out"),
    ("en", "my account was blocked by mistake"),
    ("en", "the kettle you sold me leaks"),
    ("en", "the delivery was three days late"),
    ("en", "there's still no refund after a month"),
    ("en", "i never got the confirmation e-mail you promised"),
    ("en", "the parcel was left out in the rain"),
    ("en", "my refund still hasn't come through"),
    ("en", "the broadband is really slow every evening"),
    ("en", "my claim has been sitting there for six weeks"),
    ("en", "the villa wasn't cleaned when we arrived"),
    ("en", "the key code didn't work"),
    ("en", "the export keeps failing"),
    ("en", "the sync has been broken since your update"),
    ("en", "you lost my permit application"),
    ("en", "i've called four times about this already"),
    ("en", "the app crashes every time i open it"),
    ("en", "the colour is completely different from the website"),
    ("en", "it says marked as delivered but there's nothing here"),
    ("en", "the driver didn't even knock"),
    ("en", "the charger wasn't in the box"),
    ("en", "you changed the code without telling me"),
    ("en", "they cancelled my appointment without letting me know"),
    ("nl", "mijn pakket is er nog steeds niet"),
    ("nl", "ik wacht nog steeds op mijn bestelling"),
    ("nl", "jullie hebben twee keer geld afgeschreven"),
    ("nl", "er is afgeschreven terwijl ik had opgezegd"),
    ("nl", "de monteur is niet komen opdagen"),
    ("nl", "de doos was helemaal nat"),
    ("nl", "er ontbreekt de helft"),
    ("nl", "ik heb de verkeerde maat gekregen"),
    ("nl", "de machine doet het na een week al niet meer"),
    ("nl", "uw collega zei dat het gratis was maar ik moet toch betalen"),
    ("nl", "ik zou teruggebeld worden maar er heeft niemand gebeld"),
    ("nl", "de korting is niet verrekend"),
    ("nl", "de container is niet geleegd"),
    ("nl", "de verwarming doet het niet sinds maandag"),
    ("nl", "het internet valt steeds weg"),
    ("nl", "mijn pas is geblokkeerd terwijl ik niks fout heb gedaan"),
    ("nl", "de waterkoker die ik bij jullie kocht lekt"),
    ("nl", "de levering was drie dagen te laat"),
    ("nl", "ik heb mijn geld na een maand nog steeds niet terug"),
    ("nl", "ik heb de bevestiging nooit gehad"),
    ("nl", "het pakket stond buiten in de regen"),
    ("nl", "mijn terugbetaling is er nog steeds niet"),
    ("nl", "het internet is 's avonds heel traag"),
    ("nl", "mijn claim ligt al zes weken stil"),
    ("nl", "het huisje was niet schoongemaakt"),
    ("nl", "de sleutelcode werkte niet"),
    ("nl", "de export blijft mislukken"),
    ("nl", "sinds jullie update werkt de koppeling niet"),
    ("nl", "jullie zijn mijn aanvraag kwijtgeraakt"),
    ("nl", "ik heb hier al vier keer over gebeld"),
    ("nl", "de app crasht elke keer"),
    ("nl", "de kleur is heel anders dan op de site"),
    ("nl", "er staat dat hij als bezorgd is gemeld maar ik heb niks"),
    ("nl", "de bezorger heeft niet eens aangebeld"),
    ("nl", "de oplader zat er niet bij"),
    ("nl", "jullie hebben de code veranderd zonder het te laten weten"),
    ("nl", "mijn afspraak is afgezegd zonder bericht"),
]
OFFERS = [
    ("en", "i'll send you a new one today at no cost"),
    ("en", "we'll refund the full amount"),
    ("en", "i'll put the forty euros back in your account"),
    ("en", "i've waived the delivery fee"),
    ("en", "you won't pay anything for this month"),
    ("en", "i've knocked ten pounds off your bill"),
    ("en", "i'll add a free month to your contract"),
    ("en", "as an apology i'm sending you a box of chocolates"),
    ("en", "i'm giving you a 20 euro voucher"),
    ("en", "i'll get a replacement out to you tomorrow"),
    ("en", "we'll cover the repair costs"),
    ("en", "i'll make sure you get your money back"),
    ("en", "you can keep the damaged one"),
    ("en", "i'll take the charge off your account"),
    ("en", "i'm cancelling the late payment fee"),
    ("en", "here's what i can do: a full refund today"),
    ("en", "we'll reimburse the taxi"),
    ("en", "i'll pay the fee back to you"),
    ("en", "we'll send another one out at our expense"),
    ("en", "i'll take 20% off your next order"),
    ("en", "here's a discount code for your next order"),
    ("en", "i've added a 15 euro voucher to your account"),
    ("en", "you'll get a voucher by e-mail"),
    ("en", "i'm applying a goodwill discount"),
    ("en", "your next box is half price"),
    ("en", "i'll e-mail you a discount code"),
    ("en", "there's a voucher on its way to you"),
    ("en", "i've put fifteen pounds credit on your account"),
    ("en", "just keep it, no need to send it back"),
    ("en", "we'll cover that for you"),
    ("en", "i've upgraded you to the faster package at no cost"),
    ("en", "i've upgraded your room"),
    ("en", "we'll cover it"),
    ("en", "you can hang on to the old one"),
    ("en", "you'll get the delivery charge back"),
    ("en", "you're not being charged for this"),
    ("en", "we'll pick up the bill for the hotel"),
    ("en", "i'll make sure you're not out of pocket"),
    ("en", "i'll make sure you don't lose out"),
    ("en", "i'll make sure you get a replacement by friday"),
    ("en", "i'll get the right one out to you tomorrow, and there's no charge for the return"),
    ("nl", "ik stuur u vandaag kosteloos een nieuwe"),
    ("nl", "we betalen het volledige bedrag terug"),
    ("nl", "ik zet de 40 euro terug op uw rekening"),
    ("nl", "de bezorgkosten schrap ik"),
    ("nl", "deze maand hoeft u niet te betalen"),
    ("nl", "ik haal tien euro van uw rekening af"),
    ("nl", "ik zet er een gratis maand bij"),
    ("nl", "als goedmaker stuur ik u een doos bonbons"),
    ("nl", "u krijgt een waardebon van 20 euro"),
    ("nl", "morgen heeft u een vervangend exemplaar"),
    ("nl", "wij nemen de reparatiekosten voor onze rekening"),
    ("nl", "ik zorg dat u uw geld terugkrijgt"),
    ("nl", "de beschadigde mag u houden"),
    ("nl", "ik streep de aanmaningskosten weg"),
    ("nl", "wat ik voor u kan doen: het hele bedrag terugstorten"),
    ("nl", "de taxi vergoeden wij"),
    ("nl", "u krijgt 10 procent korting op uw volgende bestelling"),
    ("nl", "ik geef u een kortingscode"),
    ("nl", "er komt een waardebon van 15 euro naar u toe"),
    ("nl", "ik zet 10 euro tegoed op uw account"),
    ("nl", "uw volgende doos krijgt u met korting"),
    ("nl", "ik mail u een kortingscode"),
    ("nl", "u ontvangt een cadeaubon per mail"),
    ("nl", "de volgende maand betaalt u de helft"),
    ("nl", "ik stuur u een waardebon"),
    ("nl", "houd die maar"),
    ("nl", "ik geef u een upgrade naar het grotere pakket"),
    ("nl", "die kosten nemen wij voor onze rekening"),
    ("nl", "ik heb u gratis geupgraded"),
    ("nl", "ik zorg dat u niets hoeft te betalen"),
    ("nl", "u betaalt er niks voor"),
    ("nl", "dat rekenen we niet"),
    ("nl", "ik zorg dat u er niet de dupe van bent"),
    ("nl", "u draait er niet voor op"),
    ("nl", "ik zorg ervoor dat u er geen kosten aan heeft"),
    ("nl", "we sturen u een andere, op onze kosten"),
    ("nl", "ik laat de administratiekosten vervallen"),
    ("nl", "u krijgt de verzendkosten terug"),
    ("nl", "ik stuur de goede maat morgen naar u toe"),
]
NEITHER = [
    ("en", "the engineer will come tomorrow to repair it"),
    ("en", "i've reactivated your account"),
    ("en", "i've corrected the bill"),
    ("en", "i'll reset your router now"),
    ("en", "can you read me the code on your voucher?"),
    ("en", "would you like a replacement?"),
    ("en", "i'll see what i can do about a refund"),
    ("en", "i'll send you the invoice today"),
    ("en", "the credit card is in your name"),
    ("en", "i can see the discount wasn't applied"),
    ("en", "your no-claims bonus is safe"),
    ("en", "keep it plugged in overnight"),
    ("en", "the upgrade caused this"),
    ("en", "we cover the damage to the floor"),
    ("en", "we can't refund that, i'm afraid"),
    ("en", "i'll book you a new appointment"),
    ("nl", "de monteur komt morgen om het te repareren"),
    ("nl", "ik zet de zenders weer aan"),
    ("nl", "ik heb de factuur aangepast"),
    ("nl", "heeft u de kortingscode bij de hand?"),
    ("nl", "wilt u een nieuwe?"),
    ("nl", "ik ga kijken wat ik voor u kan doen"),
    ("nl", "ik stuur u de factuur vandaag"),
    ("nl", "terugbetalen kan helaas niet"),
    ("nl", "ik maak een nieuwe afspraak voor u"),
    ("nl", "ik zie dat de korting niet is verrekend"),
    ("nl", "uw tegoed is op"),
    ("nl", "de kortingscode werkt niet meer"),
    ("nl", "ik stuur u een nieuwe factuur"),
    ("nl", "dan kijk ik wat ik voor u kan doen"),
]
ADMISSIONS = [
    ("en", "that's not how it should have gone"),
    ("en", "we should have called you back on monday"),
    ("en", "our driver didn't scan it"),
    ("en", "that isn't supposed to happen"),
    ("en", "we forgot to send the form"),
    ("en", "our team missed your request"),
    ("en", "we didn't process your cancellation"),
    ("en", "it got stuck in our system"),
    ("nl", "dat hoort niet zo te gaan"),
    ("nl", "dat is niet de bedoeling"),
    ("nl", "we hadden u maandag moeten terugbellen"),
    ("nl", "onze chauffeur heeft hem niet gescand"),
    ("nl", "we zijn vergeten het formulier te sturen"),
    ("nl", "uw opzegging is bij ons blijven liggen"),
    ("nl", "dat is bij ons niet goed verwerkt"),
]
REPAIRS = [
    ("en", "the engineer will replace the faulty modem tomorrow"),
    ("en", "our technician swaps the meter on friday"),
    ("nl", "de monteur vervangt morgen het kastje"),
    ("nl", "de technicus komt vrijdag de meter vervangen"),
]


@pytest.mark.parametrize(("language", "text"), FAILURES)
def test_a_customer_reporting_a_failure_of_ours_is_owed_a_remedy(language: str, text: str) -> None:
    assert recovery(("customer", text), ("agent", REPLY[language]))[0] == "missed"


@pytest.mark.parametrize(("language", "text"), ADMISSIONS)
def test_an_agent_admitting_a_failure_of_ours_owes_a_remedy(language: str, text: str) -> None:
    assert recovery(("customer", OPENING[language]), ("agent", text))[0] == "missed"


@pytest.mark.parametrize(("language", "text"), OFFERS)
def test_an_offer_to_make_it_right_meets_recovery(language: str, text: str) -> None:
    assert recovery(("customer", COMPLAINT[language]), ("agent", text)) == ("met", (1,))


@pytest.mark.parametrize(("language", "text"), NEITHER + REPAIRS)
def test_a_question_a_refusal_a_mention_or_the_repair_itself_is_no_offer(language: str, text: str) -> None:
    assert recovery(("customer", COMPLAINT[language]), ("agent", text))[0] == "missed"
