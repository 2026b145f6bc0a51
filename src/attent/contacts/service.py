"""Contacts and messages; each is recorded on the case timeline."""

import uuid
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import BindParameter, FromClause, bindparam, func, insert, select, update
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from attent.agents import Agent
from attent.cases import Case, CasesMerged, CaseStatus
from attent.cases.service import change_status, get_case
from attent.channels.service import queue_message
from attent.contacts.events import (
    AgentAnswered,
    ContactDropped,
    ContactFinished,
    ContactReachedCustomer,
    MessagesAdded,
)
from attent.contacts.kinds import ContactEnded, ContactLogged, MessageAdded
from attent.contacts.models import Channel, Contact, Direction, Message, Outcome, Speaker
from attent.contacts.schemas import ContactCreate, ContactEnd, MessageIn
from attent.contacts.waiting import refresh_waiting as refresh_waiting  # callers that stage refresh
from attent.contacts.waiting import waiting_since as waiting_since  # the definition, for the pages
from attent.core.db import repoint
from attent.core.errors import Conflict, FieldError, Invalid, NotFound
from attent.core.events import publish
from attent.core.ids import uuid7
from attent.core.redact import redact
from attent.customers import Customer
from attent.files.service import attach_to
from attent.organisations.service import get_organisation
from attent.timeline import ActorKind, TimelineEvent
from attent.timeline.service import case_event_row, record_case_event

# A dropped phone call or chat leaves the customer hanging; an e-mail cannot drop.
LIVE_CHANNELS = (Channel.PHONE, Channel.CHAT)
# How far ahead of our clock a contact's or message's time may lie. Other systems' clocks and zones are
# not always right, and an e-mail thread is often logged with the times of its later replies; a day
# ahead or more is a wrong date (year, month, day swapped), and such a message would sort last forever.
NOT_REACHED = (Outcome.DROPPED, Outcome.ABANDONED, Outcome.NO_ANSWER)
AHEAD = timedelta(days=1)  # the refusals below say "a day" in words: change them with it


def log_contact(
    *, db: Session, actor: Agent, case_id: uuid.UUID, data: ContactCreate, at: datetime, queued: bool = False
) -> Contact:
    """Record an interaction; an inbound contact on a resolved case reopens it (a repeat contact).

    `queued`: Attent itself still has to deliver the agent's messages (an e-mail reply in the outbox),
    so they keep no promise now; the outbox keeps them when it has sent the message.
    """
    case = get_case(db=db, actor=actor, case_id=case_id)
    if case.status is CaseStatus.CLOSED:
        raise Conflict("case_closed", "This case is closed; open a new case for the customer's new need.")
    started_at = data.started_at or _earliest(data, at)
    _check_times(
        started_at=started_at,
        ended_at=data.ended_at,
        messages=data.messages,
        path=lambda i: ("messages", i, "at"),
        at=at,
    )
    agent_id = data.agent_id or actor.id
    agent = db.get(Agent, (actor.organisation_id, agent_id))
    if agent is None:
        raise Invalid(
            "unknown_agent",
            "The contact's agent does not exist.",
            [FieldError(("agent_id",), "No agent with id {id}.", {"id": agent_id})],
        )
    contact = Contact(
        organisation_id=case.organisation_id,
        id=uuid7(),  # known now, so the contact and its event go to the database in one flush
        case_id=case.id,
        customer_id=case.customer_id,
        channel=data.channel,
        direction=data.direction,
        agent_id=agent_id,
        started_at=started_at,
        ended_at=data.ended_at,
        outcome=data.outcome,
        created_at=at,
    )
    logged = ContactLogged(
        contact_id=str(contact.id),
        channel=contact.channel.value,
        direction=contact.direction.value,
        agent_id=str(agent_id),
        agent_name=agent.name,
        outcome=contact.outcome.value if contact.outcome else None,
        ended_at=contact.ended_at.isoformat() if contact.ended_at else None,
    )
    reopens = data.direction is Direction.INBOUND and case.status is CaseStatus.RESOLVED
    if db.get_bind().dialect.name == "postgresql" and not reopens and case.status is not CaseStatus.NEW:
        _insert_at_once(db=db, actor=actor, case=case, contact=contact, logged=logged, at=at)
    else:
        db.add(contact)
        record_case_event(db=db, case=case, event=logged, at=contact.started_at, actor=actor)
    if reopens:
        change_status(
            db=db, actor=None, case=case, to=CaseStatus.OPEN, at=at, reason="customer contacted us again"
        )
    elif case.status is CaseStatus.NEW:
        change_status(db=db, actor=None, case=case, to=CaseStatus.OPEN, at=at, reason="first contact")
    if _reached(contact):
        publish(db, ContactReachedCustomer(case=case, contact=contact, actor=actor, at=at))
    if data.messages:
        _add(db=db, actor=actor, case=case, contact=contact, messages=data.messages, at=at, queued=queued)
    if contact.outcome is Outcome.DROPPED and contact.channel in LIVE_CHANNELS:
        dropped_at = contact.ended_at or at
        publish(db, ContactDropped(case=case, contact=contact, agent=agent, dropped_at=dropped_at, at=at))
    case.updated_at = at
    if not data.messages:  # with messages, `_add` did it; an outbound contact answers the customer
        refresh_waiting(db, organisation_id=case.organisation_id, case_ids=[case.id])
    db.flush()
    return contact


def _bound(table: FromClause, prefix: str) -> dict[str, BindParameter[Any]]:
    return {c.key: bindparam(prefix + c.key, type_=c.type) for c in table.columns}


# Built once: a statement made per request cost more CPU (its construction and cache key) than the
# two round trips it saves (bench/README.md, issue 21). Parameters: c_* the contact, e_* its event.
_AT_ONCE = (
    update(Case)
    .where(Case.organisation_id == bindparam("c_organisation_id"), Case.id == bindparam("c_case_id"))
    .values(updated_at=bindparam("c_created_at"))
    .add_cte(insert(Contact).values(_bound(Contact.__table__, "c_")).cte("contact"))
    .add_cte(insert(TimelineEvent).values(_bound(TimelineEvent.__table__, "e_")).cte("event"))
)


def _insert_at_once(
    *, db: Session, actor: Agent, case: Case, contact: Contact, logged: ContactLogged, at: datetime
) -> None:
    """The contact, its timeline event and the case's new `updated_at` in one statement (a CTE).

    The ORM's flush sends three, each a round trip. Afterwards the contact is in the session as if
    it had been flushed, and the case holds the time it now has in the database. PostgreSQL only
    (SQLite has no INSERT inside WITH); a contact that changes the case's status takes the ORM's path.
    """
    db.flush()  # anything pending goes first, in the order the ORM would send it
    params = {f"c_{c.key}": getattr(contact, c.key) for c in Contact.__table__.columns}
    event = case_event_row(db=db, case=case, event=logged, at=contact.started_at, actor=actor)
    params |= {f"e_{key}": value for key, value in event.items()}
    db.execute(_AT_ONCE, params)
    make_transient_to_detached(contact)
    db.add(contact)
    set_committed_value(case, "updated_at", at)


def get_contact(*, db: Session, actor: Agent, contact_id: uuid.UUID) -> tuple[Contact, Case]:
    """A contact on a case the actor may see."""
    contact = db.get(Contact, (actor.organisation_id, contact_id))
    if contact is None:
        raise NotFound.of("contact", contact_id)
    try:
        case = get_case(db=db, actor=actor, case_id=contact.case_id)
    except NotFound:
        raise NotFound.of("contact", contact_id) from None
    return contact, case


def end_contact(
    *, db: Session, actor: Agent, contact_id: uuid.UUID, data: ContactEnd, at: datetime
) -> Contact:
    """Close a running contact with its outcome."""
    contact, case = get_contact(db=db, actor=actor, contact_id=contact_id)
    if contact.ended_at is not None:
        raise Conflict(
            "contact_ended", "This contact already ended at {at}.", at=contact.ended_at.isoformat()
        )
    ended = data.ended_at or at
    _check_times(started_at=contact.started_at, ended_at=ended, messages=[], path=lambda i: (), at=at)
    contact.ended_at, contact.outcome = ended, data.outcome
    ended_event = ContactEnded(
        contact_id=str(contact.id), outcome=data.outcome.value, channel=contact.channel.value
    )
    record_case_event(db=db, case=case, event=ended_event, at=ended, actor=actor)
    if data.outcome is Outcome.DROPPED and contact.channel in LIVE_CHANNELS:
        agent = db.get(Agent, (case.organisation_id, contact.agent_id)) if contact.agent_id else None
        publish(db, ContactDropped(case=case, contact=contact, agent=agent, dropped_at=ended, at=at))
    elif _reached(contact):  # an outbound call that was still ringing when logged has now reached them
        publish(db, ContactReachedCustomer(case=case, contact=contact, actor=actor, at=ended))
    publish(db, ContactFinished(contact=contact, at=at))
    db.flush()
    return contact


def _earliest(data: ContactCreate, at: datetime) -> datetime:
    """A contact logged without its start began no later than anything we know of it (now included)."""
    known = [m.at for m in data.messages if m.at is not None]
    return min([at, *known, *([data.ended_at] if data.ended_at else [])])


def _check_times(
    *,
    started_at: datetime,
    ended_at: datetime | None,
    messages: list[MessageIn],
    path: Callable[[int], tuple[str | int, ...]],
    at: datetime,
) -> None:
    """A contact ends after it starts, its messages were said after it started, and none of it lies
    ahead of now (by more than clocks drift apart); a message without a time is said now."""
    latest = at + AHEAD
    errors = []
    if started_at > latest:
        errors.append(FieldError(("started_at",), "In the future; at most a day after now."))
    if ended_at is not None and ended_at < started_at:
        errors.append(
            FieldError(
                ("ended_at",),
                "The contact cannot end before it started ({start}).",
                {"start": started_at.isoformat()},
            )
        )
    elif ended_at is not None and ended_at > latest:
        errors.append(FieldError(("ended_at",), "In the future; at most a day after now."))
    for i, message in enumerate(messages):
        if message.at is None:
            continue
        if message.at < started_at:
            errors.append(
                FieldError(
                    path(i), "Before the contact started ({start}).", {"start": started_at.isoformat()}
                )
            )
        elif message.at > latest:
            errors.append(FieldError(path(i), "In the future; at most a day after now."))
    if errors:
        raise Invalid("invalid_contact_times", "The contact's times do not add up; see errors.", errors)


def _reached(contact: Contact) -> bool:
    """Whether a contact reached the customer in a way that keeps a call-back: a call or chat, not dropped.

    A dropped call did not give the customer the conversation a call-back promised (and makes a new
    call-back of its own). An e-mail or web form is no call back, and an e-mail is only queued when
    logged. An inbound call is the customer on the line; an outbound one logged while it runs may
    still be ringing, so it counts when it ends with an outcome other than dropped.
    """
    if contact.channel not in LIVE_CHANNELS or contact.outcome in NOT_REACHED:
        return False
    return contact.outcome is not None or contact.direction is Direction.INBOUND


def reply_by_email(
    *,
    db: Session,
    actor: Agent,
    case_id: uuid.UUID,
    text: str,
    at: datetime,
    attachment_ids: Sequence[uuid.UUID] = (),
) -> Contact:
    """Write to the customer: an outbound e-mail on the case, queued in the outbox to send after commit.

    The reply answers the customer's open questions on the brief at once, but keeps the case's
    follow-up promises only when the outbox has sent it (`keeps_follow_ups`): a reply that cannot be
    delivered did not reach the customer, so their follow-up stays open. `attachment_ids` are files
    already stored on the case (`attent.files.service`); the e-mail carries them, and they are linked
    to the reply's contact and message.
    """
    case = get_case(db=db, actor=actor, case_id=case_id)
    written = ContactCreate(
        channel=Channel.EMAIL,
        direction=Direction.OUTBOUND,
        messages=[MessageIn(speaker=Speaker.AGENT, text=text)],
    )
    contact = log_contact(db=db, actor=actor, case_id=case_id, data=written, at=at, queued=True)
    if attachment_ids:
        said = db.scalar(
            select(Message.id).where(
                Message.organisation_id == case.organisation_id, Message.contact_id == contact.id
            )
        )
        attach_to(
            db, org_id=case.organisation_id, case_id=case.id, attachment_ids=attachment_ids,
            contact_id=contact.id, message_id=said,
        )  # fmt: skip
    customer = db.get(Customer, (case.organisation_id, case.customer_id))
    assert customer is not None  # the composite foreign key guarantees it
    org = get_organisation(db=db, organisation_id=case.organisation_id)
    queue_message(
        db=db, case=case, customer=customer, template="reply", key=f"reply:{contact.id}", at=at,
        values={"text": text, "agent_name": actor.name, "organisation": org.name,
                "customer_name": customer.name, "case_subject": case.subject},
        data={"contact_id": str(contact.id), "agent_id": str(actor.id), "keeps_follow_ups": True,
              "attachment_ids": [str(i) for i in attachment_ids]},
    )  # fmt: skip
    # An e-mail is written whole: the contact is over once queued, and the coach scores it as it
    # scores an ended chat (the reply's own words; what it answers is on the case).
    contact.ended_at = at
    publish(db, ContactFinished(contact=contact, at=at))
    db.flush()
    return contact


def add_messages(
    *,
    db: Session,
    actor: Agent,
    contact_id: uuid.UUID,
    messages: list[MessageIn],
    at: datetime,
    batch: bool = True,
) -> list[Message]:
    """Append one message or a whole transcript (`batch`) to a contact, all or nothing."""
    contact, case = get_contact(db=db, actor=actor, contact_id=contact_id)
    if case.status is CaseStatus.CLOSED:
        raise Conflict("case_closed", "This case is closed; its conversation cannot be extended.")
    _check_times(
        started_at=contact.started_at,
        ended_at=None,
        messages=messages,
        path=(lambda i: ("messages", i, "at")) if batch else (lambda i: ("at",)),
        at=at,
    )
    return _add(db=db, actor=actor, case=case, contact=contact, messages=messages, at=at)


def _add(
    *,
    db: Session,
    actor: Agent | None,
    case: Case,
    contact: Contact,
    messages: list[MessageIn],
    at: datetime,
    queued: bool = False,
) -> list[Message]:
    org = get_organisation(db=db, organisation_id=case.organisation_id)
    masking = bool((org.settings or {}).get("redact_intake", True))  # card numbers, IBANs, BSNs, passwords
    rows = [
        Message(
            organisation_id=case.organisation_id,
            contact_id=contact.id,
            case_id=case.id,
            speaker=m.speaker,
            text=redact(m.text)[0] if masking else m.text,
            at=m.at or at,
        )
        for m in messages
    ]
    db.add_all(rows)
    db.flush()
    for message in rows:
        added = MessageAdded(
            contact_id=str(contact.id),
            message_id=str(message.id),
            speaker=message.speaker.value,
            text=message.text,
        )
        record_case_event(
            db=db,
            case=case,
            event=added,
            at=message.at,
            actor=actor if message.speaker is Speaker.AGENT else None,
            actor_kind=ActorKind.CUSTOMER if message.speaker is Speaker.CUSTOMER else None,
        )
    said = [m.at for m in rows if m.speaker is Speaker.AGENT]
    # said on the phone or in a chat, or sent by another system: it reached them
    if said and not queued and actor is not None:
        publish(db, AgentAnswered(case=case, actor=actor, at=max(said)))
    publish(db, MessagesAdded(contact=contact, at=at))
    refresh_waiting(db, organisation_id=case.organisation_id, case_ids=[case.id])
    return rows


def list_contacts(*, db: Session, actor: Agent, case_id: uuid.UUID) -> list[tuple[Contact, list[Message]]]:
    """A case's contacts in order, each with its messages; two queries whatever the size."""
    case = get_case(db=db, actor=actor, case_id=case_id)
    contacts = list(
        db.scalars(
            select(Contact)
            .where(Contact.organisation_id == case.organisation_id, Contact.case_id == case.id)
            .order_by(Contact.started_at, Contact.id)
        )
    )
    by_contact: dict[uuid.UUID, list[Message]] = {c.id: [] for c in contacts}
    for message in db.scalars(
        select(Message)
        .where(Message.organisation_id == case.organisation_id, Message.case_id == case.id)
        .order_by(Message.at, Message.id)
    ):
        by_contact.setdefault(message.contact_id, []).append(message)
    return [(c, by_contact[c.id]) for c in contacts]


def last_contact_at(*, db: Session, organisation_id: uuid.UUID, customer_id: uuid.UUID) -> datetime | None:
    """When we were last in touch with the customer on any channel, either way (None: never)."""
    cases = select(Case.id).where(Case.organisation_id == organisation_id, Case.customer_id == customer_id)
    return db.scalar(  # through the customer's cases: both steps have an index
        select(func.max(Contact.started_at)).where(
            Contact.organisation_id == organisation_id, Contact.case_id.in_(cases)
        )
    )


def cases_merged(db: Session, event: CasesMerged) -> None:
    """A case was merged into another (subscribed in `attent.wiring`): its contacts and messages move."""
    for model in (Contact, Message):
        repoint(db, model, organisation_id=event.organisation_id, old=event.merged_id, new=event.kept_id)
    refresh_waiting(db, organisation_id=event.organisation_id, case_ids=[event.merged_id, event.kept_id])


def log_customer_message(
    *, db: Session, case: Case, channel: Channel, text: str, at: datetime, said_at: datetime | None = None
) -> Contact:
    """A message the customer sent on their own (an e-mail): an inbound contact holding their words,
    with no agent. Like any inbound contact it opens a new case and reopens a resolved one; an e-mail is
    over once it arrived, so the contact ends when it is logged. The coach has nothing to score in it (no
    agent spoke): it scores the agent's reply."""
    contact = stage_customer_message(db=db, case=case, channel=channel, text=text, at=at, said_at=said_at)
    refresh_waiting(db, organisation_id=case.organisation_id, case_ids=[case.id])  # flushes
    return contact


def stage_customer_message(
    *, db: Session, case: Case, channel: Channel, text: str, at: datetime, said_at: datetime | None = None
) -> Contact:
    """`log_customer_message` without the flush: ids are minted here, so e-mail ingest can stage a whole
    batch of messages and write each table in one statement (`attent.mailboxes.batch`). The caller
    refreshes the cases' `waiting_since` after its flush (`refresh_waiting`)."""
    if case.status is CaseStatus.CLOSED:
        raise Conflict("case_closed", "This case is closed; open a new case for the customer's new need.")
    said = min(said_at or at, at)
    contact = Contact(
        organisation_id=case.organisation_id, id=uuid7(), case_id=case.id, customer_id=case.customer_id,
        channel=channel, direction=Direction.INBOUND, agent_id=None, started_at=said, ended_at=said,
        outcome=None, created_at=at,
    )  # fmt: skip
    db.add(contact)
    logged = ContactLogged(
        contact_id=str(contact.id), channel=channel.value, direction=Direction.INBOUND.value,
        ended_at=said.isoformat(),
    )  # fmt: skip
    record_case_event(db=db, case=case, event=logged, at=said, actor=None, actor_kind=ActorKind.CUSTOMER)
    if case.status is CaseStatus.RESOLVED:
        change_status(
            db=db, actor=None, case=case, to=CaseStatus.OPEN, at=at, reason="customer contacted us again"
        )
    elif case.status is CaseStatus.NEW:
        change_status(db=db, actor=None, case=case, to=CaseStatus.OPEN, at=at, reason="first contact")
    message = Message(
        organisation_id=case.organisation_id, id=uuid7(), contact_id=contact.id, case_id=case.id,
        speaker=Speaker.CUSTOMER, text=text, at=said,
    )  # fmt: skip
    db.add(message)
    added = MessageAdded(
        contact_id=str(contact.id), message_id=str(message.id), speaker=Speaker.CUSTOMER.value, text=text
    )
    record_case_event(db=db, case=case, event=added, at=said, actor=None, actor_kind=ActorKind.CUSTOMER)
    case.updated_at = at
    return contact
