"""The demo organisations' verification policies and playbooks: tell why you ask, tell what you do."""

from datetime import datetime

from sqlalchemy.orm import Session

from attent.agents import Agent
from attent.core.schemas import Bilingual
from attent.playbooks import PlaybookIn, PlaybookStepIn
from attent.playbooks.service import replace_playbook
from attent.verification import Question
from attent.verification.policy import DEFAULT_POLICY
from attent.verification.service import set_policy


def _step(
    key: str, title: tuple[str, str], say: tuple[str, str], minutes: int, step_type: str | None = None
) -> PlaybookStepIn:
    return PlaybookStepIn(
        key=key,
        title=Bilingual(nl=title[0], en=title[1]),
        narration=Bilingual(nl=say[0], en=say[1]),
        step_type=step_type,
        default_minutes=minutes,
    )


def load_coffee_guidance(db: Session, admin: Agent, at: datetime) -> None:
    """Kopje Koffie asks the default questions and has a playbook for a missing shipment."""
    set_policy(db=db, actor=admin, policy=DEFAULT_POLICY)
    steps = [
        _step(
            "verify_customer",
            ("Klant verifiëren", "Verify the customer"),
            (
                "Ik stel u één korte vraag, zodat ik zeker weet dat ik met de juiste persoon spreek.",
                "I'll ask you one short question, so I know I'm speaking with the right person.",
            ),
            1,
        ),
        _step(
            "trace_shipment",
            ("Zending opzoeken bij de vervoerder", "Trace the shipment with the carrier"),
            (
                "Ik zoek nu uw zending op, zodat ik kan zien waar het misging.",
                "I'm looking up your shipment now, so I can see where it went wrong.",
            ),
            12,
            "courier_trace",
        ),
        _step(
            "arrange_replacement",
            ("Vervangende zending klaarzetten", "Arrange a replacement shipment"),
            (
                "Ik zet nu een nieuwe zending voor u klaar, zodat u morgen alsnog uw koffie heeft.",
                "I'm arranging a new shipment for you now, so you'll have your coffee tomorrow.",
            ),
            4,
        ),
        _step(
            "confirm_with_customer",
            ("Afspraken bevestigen", "Confirm what we agreed"),
            (
                "Ik vat even samen wat we hebben afgesproken, en u krijgt het ook per e-mail.",
                "Let me sum up what we agreed; you'll get it by e-mail as well.",
            ),
            1,
        ),
    ]
    replace_playbook(
        db=db,
        actor=admin,
        case_type="delivery_missing",
        data=PlaybookIn(steps=steps),
        at=at,
    )


def load_villa_guidance(db: Session, admin: Agent, at: datetime) -> None:
    """Villa Oleander asks for the booking number instead of an order number, and prepares late arrivals."""
    booking = Question(
        key="booking_number",
        label=Bilingual(nl="boekingsnummer", en="booking number"),
        fact="customer.refs.booking",
        sensitivity=1,
        why=Bilingual(
            nl="Met uw boekingsnummer weet ik zeker dat het om uw verblijf gaat.",
            en="Your booking number tells me it is your stay we are talking about.",
        ),
    )
    questions = [booking if q.key == "order_number" else q for q in DEFAULT_POLICY.questions]
    set_policy(db=db, actor=admin, policy=DEFAULT_POLICY.model_copy(update={"questions": questions}))
    steps = [
        _step(
            "check_flight",
            ("Vlucht en aankomsttijd nakijken", "Check the flight and arrival time"),
            (
                "Ik kijk even hoe laat uw vlucht landt, zodat we weten wanneer u er bent.",
                "I'm checking when your flight lands, so we know when you'll arrive.",
            ),
            3,
        ),
        _step(
            "arrange_key_and_dinner",
            ("Sleutelkastje en maaltijd regelen", "Arrange the key box and a meal"),
            (
                "Ik regel nu de sleutel en een maaltijd voor u, want de winkels zijn dan al dicht.",
                "I'm arranging your key and a meal now, because the shops will be closed by then.",
            ),
            10,
        ),
    ]
    replace_playbook(
        db=db,
        actor=admin,
        case_type="late_arrival",
        data=PlaybookIn(steps=steps),
        at=at,
    )
