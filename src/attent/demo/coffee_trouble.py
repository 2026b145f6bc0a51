"""Kopje Koffie's promises in trouble: what the lead of the orders team must act on right now."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from attent.agents import Agent, Team
from attent.cases import CaseCreate, Priority
from attent.cases.service import create_case
from attent.contacts import Channel, ContactCreate, Direction, Outcome, Speaker
from attent.contacts.service import log_contact
from attent.customers import CustomerCreate
from attent.customers.service import create_customer
from attent.demo.common import say
from attent.promises import PromiseCreate, PromiseKind
from attent.promises.service import make_promise


def load_promises_in_trouble(db: Session, now: datetime, tz: str, team: Team, a: dict[str, Agent]) -> None:
    """Two promises the lead of the orders team must act on: one broken yesterday, one at risk now."""
    zone = ZoneInfo(tz)
    ingrid = create_customer(
        db=db,
        actor=a["emma"],
        at=now - timedelta(days=30),
        data=CustomerCreate(
            name="Ingrid Smit",
            email="ingrid.smit@example.nl",
            language="nl",
            external_refs={"shop": "C-4120"},
        ),
    )
    # Promised the day before yesterday at 13:00 ("tomorrow before 17:00"); nobody sent the label.
    label_due = datetime.combine(now.astimezone(zone).date() - timedelta(days=1), time(17), zone)
    t0 = label_due - timedelta(hours=28)
    returns = create_case(
        db=db,
        actor=a["emma"],
        at=t0,
        data=CaseCreate(
            customer_id=ingrid.id,
            subject="Retourlabel voor kapotte melkopschuimer",
            type="return",
            team_id=team.id,
            owner_id=a["emma"].id,
        ),
    )
    log_contact(
        db=db,
        actor=a["emma"],
        case_id=returns.id,
        at=t0,
        data=ContactCreate(
            channel=Channel.EMAIL,
            direction=Direction.INBOUND,
            started_at=t0,
            ended_at=t0 + timedelta(minutes=30),
            outcome=Outcome.FOLLOW_UP,
            messages=[
                say(
                    Speaker.CUSTOMER,
                    "Mijn melkopschuimer is na een week kapot gegaan. Hoe stuur ik hem terug?",
                    t0,
                ),
                say(
                    Speaker.AGENT,
                    f"Wat jammer! Ik mail u morgen vóór {_hhmm(label_due, tz)} een retourlabel; dan sturen wij direct een nieuwe.",
                    t0 + timedelta(minutes=30),
                ),
            ],
        ),
    )
    make_promise(
        db=db,
        actor=a["emma"],
        case_id=returns.id,
        at=t0 + timedelta(minutes=31),
        data=PromiseCreate(
            kind=PromiseKind.FOLLOW_UP,
            due_at=label_due,
            words=f"Ik mail u morgen vóór {_hhmm(label_due, tz)} een retourlabel.",
        ),
    )
    t1 = now - timedelta(minutes=40)
    log_contact(
        db=db,
        actor=a["emma"],
        case_id=returns.id,
        at=t1,
        data=ContactCreate(
            channel=Channel.EMAIL,
            direction=Direction.INBOUND,
            started_at=t1,
            messages=[
                say(Speaker.CUSTOMER, "Ik heb nog steeds geen retourlabel ontvangen. Komt het nog?", t1)
            ],
        ),
    )

    bram = create_customer(
        db=db,
        actor=a["fatima"],
        at=now - timedelta(days=5),
        data=CustomerCreate(name="Bram Koster", email="bram.koster@example.nl", language="nl"),
    )
    t2 = now - timedelta(hours=3)
    soon = now + timedelta(minutes=25)  # inside the hour's warning time: at risk already
    gift_due = soon + timedelta(
        minutes=-soon.minute % 5, seconds=-soon.second, microseconds=-soon.microsecond
    )
    gift = create_case(
        db=db,
        actor=a["fatima"],
        at=t2,
        data=CaseCreate(
            customer_id=bram.id,
            subject="Cadeaupakket moet vandaag bezorgd worden",
            type="delivery_late",
            priority=Priority.HIGH,
            team_id=team.id,
            owner_id=a["fatima"].id,
        ),
    )
    log_contact(
        db=db,
        actor=a["fatima"],
        case_id=gift.id,
        at=t2,
        data=ContactCreate(
            channel=Channel.PHONE,
            direction=Direction.INBOUND,
            started_at=t2,
            ended_at=t2 + timedelta(minutes=5),
            outcome=Outcome.FOLLOW_UP,
            messages=[
                say(
                    Speaker.CUSTOMER,
                    "Het cadeaupakket voor mijn moeder moet vandaag aankomen, ze is jarig.",
                    t2,
                ),
                say(
                    Speaker.AGENT,
                    f"Ik heb de koerier gevraagd het vandaag vóór {_hhmm(gift_due, tz)} te bezorgen.",
                    t2 + timedelta(minutes=4),
                ),
            ],
        ),
    )
    make_promise(
        db=db,
        actor=a["fatima"],
        case_id=gift.id,
        at=t2 + timedelta(minutes=5),
        data=PromiseCreate(
            kind=PromiseKind.DELIVERY,
            due_at=gift_due,
            words=f"Het pakket wordt vandaag vóór {_hhmm(gift_due, tz)} bezorgd.",
        ),
    )


def _hhmm(at: datetime, tz: str) -> str:
    return at.astimezone(ZoneInfo(tz)).strftime("%H:%M")
