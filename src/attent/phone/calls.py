"""Call events in, contacts and call-back promises out: idempotent, and the same whatever the order.

Each event is kept once (its call and sequence are unique). After each one the call is folded again
from all its events in sequence order, and what the fold newly allows is done once: the customer and
case are found (or opened) on the first event that names the caller, the contact follows the agent
who has the call, and the call is *settled* (contact ended with its outcome, call-back promised)
when its `ended` event and every event before it have arrived. An `ended` that overtakes its
`answered` waits for it, so the outcome is the one the events in order give; if an event before
`ended` never comes, the worker settles the call with what it has after `SETTLE_AFTER`.
"""

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import phonenumbers
from sqlalchemy import event as sa_event
from sqlalchemy import select
from sqlalchemy.orm import Session

from attent.agents import Agent
from attent.cases import Case, open_case_of, open_customer_case
from attent.contacts import (
    Contact,
    Direction,
    MessageIn,
    Outcome,
    Speaker,
    add_call_transcript,
    finish_call,
    hand_call_to,
    open_call,
)
from attent.core import phones
from attent.core.db import upsert_insert
from attent.core.i18n import gettext
from attent.core.ids import uuid7
from attent.core.live import changed
from attent.customers.service import add_reaching_customer, find_by_phone
from attent.organisations.service import get_organisation
from attent.phone.kinds import CallAbandoned, CallAnswered, CallTransferred
from attent.phone.models import Call, CallEvent, PhoneLine
from attent.promises import Promise, PromiseKind, PromiseSource, PromiseState
from attent.promises.service import create, policy_for
from attent.timeline.service import record_case_event

SETTLE_AFTER = timedelta(seconds=30)  # how long an `ended` waits for the events before it
DROP_CAUSES = {"network", "error", "timeout"}  # an answered call that ends so was cut off, not hung up


_AGENTS = "attent_phone_agents"  # db.info: the agents this transaction's events named, by how they were named


@sa_event.listens_for(Session, "after_commit")
@sa_event.listens_for(Session, "after_rollback")
def _forget_agents(db: Session) -> None:
    db.info.pop(_AGENTS, None)  # the next transaction looks again: an agent may have changed meanwhile


def agent_key(organisation_id: uuid.UUID, agent_id: uuid.UUID) -> str:
    """The live-update name of an agent's incoming-call panel."""
    return f"{organisation_id}:calls:{agent_id}"


@dataclass
class Facts:
    """What a call's events, in sequence order, say about it."""

    direction: str = "inbound"
    caller: str | None = None  # the customer's number as sent (from for inbound, to for outbound)
    queue: str | None = None
    first_at: datetime | None = None
    ringing_at: datetime | None = None
    ringing_agent: str | None = None
    answered_at: datetime | None = None
    answered_by: str | None = None
    transfers: list[tuple[int, str, datetime]] = field(default_factory=list)
    ended: dict[str, Any] | None = None
    ended_at: datetime | None = None
    complete: bool = False

    @property
    def holder(self) -> str | None:
        """Who has the call now: the last agent it was transferred to, else who answered."""
        return self.transfers[-1][1] if self.transfers else self.answered_by


def fold(events: list[CallEvent]) -> Facts:
    """The call as its events in sequence order describe it (transcripts left out)."""
    facts = Facts()
    seen: set[int] = set()
    for event in sorted(events, key=lambda e: e.sequence):
        seen.add(event.sequence)
        if event.type == "transcript":
            continue
        data = event.payload
        facts.direction = data.get("direction") or facts.direction
        number = data.get("to") if facts.direction == "outbound" else data.get("from")
        facts.caller = facts.caller or number
        facts.queue = facts.queue or data.get("queue")
        facts.first_at = min(facts.first_at or event.at, event.at)
        if event.type == "ringing":
            facts.ringing_at = min(facts.ringing_at or event.at, event.at)
            facts.ringing_agent = data.get("agent") or facts.ringing_agent
        elif event.type == "answered" and facts.answered_at is None:
            facts.answered_at, facts.answered_by = event.at, data.get("agent")
        elif event.type == "transferred":
            facts.transfers.append((event.sequence, data["target"], event.at))
        elif event.type == "ended" and facts.ended is None:
            facts.ended, facts.ended_at = {**data, "sequence": event.sequence}, event.at
    if facts.ended is not None:
        facts.complete = set(range(facts.ended["sequence"])) <= seen
    return facts


def lock_calls(db: Session, organisation_id: uuid.UUID, refs: list[str], at: datetime) -> dict[str, Call]:
    """The rows of these calls, locked for this transaction (made first for calls new to us): one
    statement to make the missing ones and one to lock them all, in call order, whatever the batch."""
    refs = sorted(set(refs))
    db.execute(
        upsert_insert(db)(Call)
        .values([
            {"organisation_id": organisation_id, "id": uuid7(), "call_ref": ref, "problems": {},
             "transfers": 0, "created_at": at, "updated_at": at}
            for ref in refs
        ])
        .on_conflict_do_nothing(index_elements=["organisation_id", "call_ref"])
    )  # fmt: skip
    query = select(Call).where(Call.organisation_id == organisation_id, Call.call_ref.in_(refs))
    return {call.call_ref: call for call in db.scalars(query.order_by(Call.call_ref).with_for_update())}


def events_of(db: Session, organisation_id: uuid.UUID, refs: list[str]) -> dict[str, list[CallEvent]]:
    """Every event we have of these calls, by call, in one statement."""
    query = select(CallEvent).where(
        CallEvent.organisation_id == organisation_id, CallEvent.call_ref.in_(refs)
    )
    found: dict[str, list[CallEvent]] = {ref: [] for ref in refs}
    for event in db.scalars(query):
        found[event.call_ref].append(event)
    return found


def advance(
    db: Session,
    *,
    line: PhoneLine,
    call: Call,
    at: datetime,
    force: bool = False,
    events: list[CallEvent] | None = None,
) -> None:
    """Do what the call's events newly allow (see the module's docstring); `force`: settle with gaps.
    `events`: all the call's events, when the caller has them already (a batch loads them at once)."""
    if events is None:
        events = events_of(db, call.organisation_id, [call.call_ref])[call.call_ref]
    facts = fold(events)
    before = {call.ringing_agent_id, call.agent_id}
    contact: Contact | None = None
    case: Case | None = None
    if call.contact_id is None and facts.first_at is not None:
        contact, case = _attach(db, line, call, facts, at)
    if contact is None or case is None:
        contact, case = _contact(db, call)
    if contact is not None and case is not None and call.settled_at is None:
        _follow_agents(db, line, call, facts, contact, case)
        if facts.ended is not None and (facts.complete or force):
            _settle(db, line, call, facts, contact, case, at)
    if contact is not None and case is not None:
        _transcripts(db, call, events, contact, case, at)
    call.updated_at = at
    for agent_id in (before | {call.ringing_agent_id, call.agent_id}) - {None}:
        assert agent_id is not None
        changed(db, agent_key(call.organisation_id, agent_id))
    db.flush()


def _contact(db: Session, call: Call) -> tuple[Contact | None, Case | None]:
    if call.contact_id is None or call.case_id is None:
        return None, None
    return db.get(Contact, (call.organisation_id, call.contact_id)), db.get(
        Case, (call.organisation_id, call.case_id)
    )


def _problem(call: Call, code: str, value: Any) -> None:
    call.problems = {**call.problems, code: value}


def agent_of(db: Session, line: PhoneLine, who: str | None, call: Call | None = None) -> Agent | None:
    """The agent a telephone system names by e-mail or extension (None, and noted on the call, if nobody)."""
    if not who:
        return None
    named: dict[tuple[uuid.UUID, str], Agent | None] = db.info.setdefault(_AGENTS, {})
    key = (line.organisation_id, who)
    if key in named:  # a batch's calls name the same few agents: one look-up each per transaction
        agent = named[key]
        if agent is None and call is not None:
            _problem(call, "unknown_agent", who)
        return agent
    agent = None
    if "@" in who:
        agent = db.scalar(
            select(Agent).where(
                Agent.organisation_id == line.organisation_id, Agent.email == who.strip().lower()
            )
        )
    elif (agent_id := line.extensions.get(who)) is not None:
        agent = db.get(Agent, (line.organisation_id, uuid.UUID(str(agent_id))))
    named[key] = agent  # held for the transaction, so db.get finds the agent in the identity map too
    if agent is None and call is not None:
        _problem(call, "unknown_agent", who)
    return agent


def _attach(db: Session, line: PhoneLine, call: Call, facts: Facts, at: datetime) -> tuple[Contact, Case]:
    """Find the caller (or add them), their open case (or open one in the queue's team), and start the
    contact; a withheld or unreadable number is a new customer of its own, noted on the call."""
    org = get_organisation(db=db, organisation_id=line.organisation_id)
    call.direction, call.caller, call.queue = facts.direction, facts.caller, facts.queue
    number = phones.e164(facts.caller, line.region)
    call.number = number
    customer = find_by_phone(db=db, organisation_id=org.id, number=number) if number else None
    if customer is None:
        if number is not None:
            parsed = phonenumbers.parse(number)
            name = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
            _problem(call, "new_customer", number)
        else:
            name = gettext(org.language, "Caller without a number")
            _problem(
                call,
                "withheld_number" if phones.is_withheld(facts.caller) else "unreadable_number",
                facts.caller or "",
            )
        customer = add_reaching_customer(
            db=db, organisation_id=org.id, name=name, phone=number, language=org.language, at=at
        )
    case = open_case_of(db=db, organisation_id=org.id, customer_id=customer.id)
    if case is None:
        team = line.queues.get(facts.queue) if facts.queue else None
        if facts.queue and team is None:
            _problem(call, "unknown_queue", facts.queue)
        subject = gettext(org.language, "Phone call from {number}", number=customer.name)
        case = open_customer_case(
            db=db,
            organisation_id=org.id,
            customer_id=customer.id,
            subject=subject,
            team_id=uuid.UUID(str(team)) if team else None,
            at=at,
            source="phone",
        )
    started = facts.ringing_at or facts.answered_at or facts.first_at
    assert started is not None
    direction = Direction.OUTBOUND if facts.direction == "outbound" else Direction.INBOUND
    contact = open_call(db=db, case=case, direction=direction, agent=None, started_at=started, at=at)
    call.customer_id, call.case_id, call.contact_id = customer.id, case.id, contact.id
    return contact, case  # held on to: the session's identity map forgets what nobody holds


def _follow_agents(
    db: Session, line: PhoneLine, call: Call, facts: Facts, contact: Contact, case: Case
) -> None:
    """Whom the call rings for, who answered, to whom it went on: the contact follows its holder."""
    call.ringing_at = facts.ringing_at
    call.ended_at = facts.ended_at
    if facts.answered_at is None and facts.ended is None and facts.ringing_agent:
        ringing = agent_of(db, line, facts.ringing_agent, call)
        call.ringing_agent_id = ringing.id if ringing else None
    else:
        call.ringing_agent_id = None
    if facts.answered_at is not None and call.answered_at is None:
        call.answered_at = facts.answered_at
        agent = agent_of(db, line, facts.answered_by, call)
        hand_call_to(db=db, contact=contact, agent=agent)
        call.agent_id = agent.id if agent else None
        answered = CallAnswered(
            contact_id=str(contact.id), agent_id=_s(agent), agent_name=agent.name if agent else None
        )
        record_case_event(db=db, case=case, event=answered, at=facts.answered_at, actor=None)
    for _sequence, target, transferred_at in facts.transfers[call.transfers :]:
        agent = agent_of(db, line, target) if "@" in target or target in line.extensions else None
        moved = CallTransferred(
            contact_id=str(contact.id),
            to=target,
            agent_id=_s(agent),
            agent_name=agent.name if agent else None,
        )
        record_case_event(db=db, case=case, event=moved, at=transferred_at, actor=None)
        if agent is not None:
            hand_call_to(db=db, contact=contact, agent=agent)
            call.agent_id = agent.id
        call.transfers += 1


def _s(agent: Agent | None) -> str | None:
    return str(agent.id) if agent else None


def _settle(
    db: Session, line: PhoneLine, call: Call, facts: Facts, contact: Contact, case: Case, at: datetime
) -> None:
    """End the contact with the outcome the events give, and promise the call-back a drop or a long
    wait is owed (a drop's goes to the agent who had the call, through the contacts' ContactDropped)."""
    ended = facts.ended or {}
    ended_at = facts.ended_at or at
    call.ended_at = ended_at
    agent = db.get(Agent, (call.organisation_id, call.agent_id)) if call.agent_id else None
    answered = facts.answered_at is not None
    outcome: Outcome
    if answered and (ended.get("cause") in DROP_CAUSES or ended.get("hangup_by") == "system"):
        outcome = Outcome.DROPPED
    elif answered:
        last_out = facts.transfers and call.agent_id is None
        outcome = Outcome.TRANSFERRED if last_out else Outcome.ENDED
    elif facts.direction == "outbound":
        outcome = Outcome.NO_ANSWER
    else:
        outcome = Outcome.ABANDONED
    if call.number is None and outcome is Outcome.DROPPED:
        outcome = Outcome.ENDED  # nothing to call back; the call is noted, the promise would be a lie
        _problem(call, "no_callback_without_number", True)
    finish_call(db=db, case=case, contact=contact, agent=agent, ended_at=ended_at, outcome=outcome, at=at)
    if outcome is Outcome.ABANDONED:
        waited = int((ended_at - (facts.ringing_at or facts.first_at or ended_at)).total_seconds())
        gone = CallAbandoned(contact_id=str(contact.id), waited=waited, queue=facts.queue)
        record_case_event(db=db, case=case, event=gone, at=ended_at, actor=None)
        if waited > line.abandoned_after_seconds and call.number is not None:
            _team_callback(db, case, contact, ended_at, at)
    call.outcome, call.settled_at, call.ringing_agent_id = outcome.value, at, None
    if outcome in (Outcome.DROPPED, Outcome.ABANDONED):
        call.promise_id = _callback_for(db, call, contact)


def _callback_for(db: Session, call: Call, contact: Contact) -> uuid.UUID | None:
    """The call-back this call made, else the open one on its case that already stands for it."""
    made = db.scalar(
        select(Promise.id).where(
            Promise.organisation_id == call.organisation_id,
            Promise.contact_id == contact.id,
            Promise.kind == PromiseKind.CALLBACK,
        )
    )
    if made is not None:
        return made
    return db.scalar(
        select(Promise.id)
        .where(
            Promise.organisation_id == call.organisation_id,
            Promise.case_id == contact.case_id,
            Promise.kind == PromiseKind.CALLBACK,
            Promise.state == PromiseState.OPEN,
        )
        .order_by(Promise.due_by)
        .limit(1)
    )


def _team_callback(db: Session, case: Case, contact: Contact, ended_at: datetime, at: datetime) -> None:
    """A caller who waited long and gave up is owed a call-back by the team (unless one stands already)."""
    policy = policy_for(db=db, organisation_id=case.organisation_id)
    due = max(ended_at, at) + policy.dropped_callback_within
    already = select(Promise.id).where(
        Promise.organisation_id == case.organisation_id,
        Promise.case_id == case.id,
        Promise.state == PromiseState.OPEN,
        Promise.kind == PromiseKind.CALLBACK,
        Promise.due_by <= due,
    )
    if db.scalar(already.limit(1)) is not None:
        return
    create(
        db=db,
        case=case,
        kind=PromiseKind.CALLBACK,
        due_by=due,
        at=at,
        actor=None,
        owner_id=None,
        team_id=case.team_id,
        source=PromiseSource.DROPPED_CONTACT,
        contact_id=contact.id,
        tell_customer=policy.tell_customer,
    )


def _transcripts(
    db: Session, call: Call, events: list[CallEvent], contact: Contact, case: Case, at: datetime
) -> None:
    """Transcripts not yet added go on the contact, once each (the coach scores the call again)."""
    pending = [e for e in events if e.type == "transcript" and e.applied_at is None]
    agent = db.get(Agent, (call.organisation_id, call.agent_id)) if call.agent_id and pending else None
    for event in sorted(pending, key=lambda e: e.sequence):
        lines = [
            MessageIn(speaker=Speaker(line["speaker"]), text=line["text"], at=line.get("at"))
            for line in event.payload["lines"]
        ]
        add_call_transcript(db=db, case=case, contact=contact, agent=agent, messages=lines, at=at)
        event.applied_at = at
