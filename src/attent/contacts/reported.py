"""Contacts no signed-in agent writes: calls the telephone system reports (the call's own agent is named,
if known) and messages customers send themselves (the web form, their page). Each is recorded on the case
timeline and publishes what `attent.wiring` reacts to, as contacts an agent logs do."""

from datetime import datetime

from sqlalchemy.orm import Session

from attent.agents import Agent
from attent.cases import Case, CaseStatus
from attent.cases.service import change_status
from attent.contacts.events import ContactDropped, ContactFinished, ContactReachedCustomer
from attent.contacts.kinds import ContactEnded, ContactLogged
from attent.contacts.models import Channel, Contact, Direction, Message, Outcome, Speaker
from attent.contacts.schemas import MessageIn
from attent.contacts.service import _add, _reached  # the same writing as contacts agents log
from attent.contacts.waiting import refresh_waiting
from attent.core.errors import Conflict
from attent.core.events import publish
from attent.core.ids import uuid7
from attent.timeline import ActorKind
from attent.timeline.service import record_case_event


def open_call(
    *, db: Session, case: Case, direction: Direction, agent: Agent | None, started_at: datetime, at: datetime
) -> Contact:
    """A call the telephone system reports, as a running phone contact on its case (ringing or answered);
    `finish_call` ends it. The case opens on its first contact, as with one an agent logs."""
    contact = Contact(
        organisation_id=case.organisation_id,
        id=uuid7(),
        case_id=case.id,
        customer_id=case.customer_id,
        channel=Channel.PHONE,
        direction=direction,
        agent_id=agent.id if agent else None,
        started_at=started_at,
        ended_at=None,
        outcome=None,
        created_at=at,
    )
    db.add(contact)
    logged = ContactLogged(
        contact_id=str(contact.id),
        channel=contact.channel.value,
        direction=direction.value,
        agent_id=str(agent.id) if agent else None,
        agent_name=agent.name if agent else None,
    )
    record_case_event(db=db, case=case, event=logged, at=started_at, actor=None)
    if case.status is CaseStatus.RESOLVED and direction is Direction.INBOUND:
        change_status(
            db=db, actor=None, case=case, to=CaseStatus.OPEN, at=at, reason="customer contacted us again"
        )
    elif case.status is CaseStatus.NEW:
        change_status(db=db, actor=None, case=case, to=CaseStatus.OPEN, at=at, reason="first contact")
    case.updated_at = at
    if direction is Direction.OUTBOUND:  # calling the customer answers what they wrote
        refresh_waiting(db, organisation_id=case.organisation_id, case_ids=[case.id])
    db.flush()
    return contact


def hand_call_to(*, db: Session, contact: Contact, agent: Agent | None) -> None:
    """The agent who has the call now (it was answered, or transferred to them)."""
    contact.agent_id = agent.id if agent else None
    db.flush()


def finish_call(
    *,
    db: Session,
    case: Case,
    contact: Contact,
    agent: Agent | None,
    ended_at: datetime,
    outcome: Outcome,
    at: datetime,
) -> Contact:
    """End a reported call with its outcome: a drop makes the call-back (wiring), a call that reached
    the customer keeps call-backs, and the coach scores it; a call already ended is left as it is."""
    if contact.ended_at is not None:
        return contact
    contact.ended_at, contact.outcome = max(ended_at, contact.started_at), outcome
    ended_event = ContactEnded(
        contact_id=str(contact.id), outcome=outcome.value, channel=contact.channel.value
    )
    record_case_event(db=db, case=case, event=ended_event, at=contact.ended_at, actor=None)
    if outcome is Outcome.DROPPED:
        publish(
            db, ContactDropped(case=case, contact=contact, agent=agent, dropped_at=contact.ended_at, at=at)
        )
    elif _reached(contact):
        publish(db, ContactReachedCustomer(case=case, contact=contact, actor=agent, at=contact.ended_at))
    publish(db, ContactFinished(contact=contact, at=at))
    case.updated_at = at
    db.flush()
    return contact


def add_call_transcript(
    *, db: Session, case: Case, contact: Contact, agent: Agent | None, messages: list[MessageIn], at: datetime
) -> list[Message]:
    """A call's transcript from the telephone system's speech-to-text, added to its contact (the coach
    scores it again); lines timed before the call started are moved to its start."""
    lines = [
        MessageIn(speaker=m.speaker, text=m.text, at=max(m.at, contact.started_at) if m.at else None)
        for m in messages
    ]
    return _add(db=db, actor=agent, case=case, contact=contact, messages=lines, at=at)


def record_customer_message(*, db: Session, case: Case, channel: Channel, text: str, at: datetime) -> Contact:
    """What a customer wrote us themselves (the web form, a reply on their page): an inbound contact with
    their message, waiting for our answer; a finished case they write on opens again."""
    if case.status is CaseStatus.CLOSED:
        raise Conflict("case_closed", "This case is closed; open a new case for the customer's new need.")
    contact = Contact(
        organisation_id=case.organisation_id, id=uuid7(), case_id=case.id, customer_id=case.customer_id,
        channel=channel, direction=Direction.INBOUND, agent_id=None, started_at=at, ended_at=at,
        outcome=Outcome.FOLLOW_UP, created_at=at,
    )  # fmt: skip
    db.add(contact)
    logged = ContactLogged(
        contact_id=str(contact.id), channel=channel.value, direction=Direction.INBOUND.value,
        outcome=Outcome.FOLLOW_UP.value, ended_at=at.isoformat(),
    )  # fmt: skip
    record_case_event(db=db, case=case, event=logged, at=at, actor=None, actor_kind=ActorKind.CUSTOMER)
    if case.status is CaseStatus.RESOLVED:
        change_status(
            db=db, actor=None, case=case, to=CaseStatus.OPEN, at=at, reason="customer contacted us again"
        )
    elif case.status is CaseStatus.NEW:
        change_status(db=db, actor=None, case=case, to=CaseStatus.OPEN, at=at, reason="first contact")
    _add(db=db, actor=None, case=case, contact=contact,
         messages=[MessageIn(speaker=Speaker.CUSTOMER, text=text, at=at)], at=at)  # fmt: skip
    case.updated_at = at
    db.flush()
    return contact
