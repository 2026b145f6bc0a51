"""Making, keeping, cancelling and handing over promises; every change is a timeline event."""

import uuid
from collections.abc import Collection
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from attent.agents import Agent, Presence, Team
from attent.cases import Case, CasesMerged, CaseStatus
from attent.cases.service import get_case, visible_to
from attent.channels import ReplyBounced, ReplyDelivered
from attent.core.db import repoint
from attent.core.errors import Conflict, FieldError, Invalid, NotFound
from attent.core.i18n import Label
from attent.core.ids import uuid7
from attent.core.pagination import page
from attent.organisations import Organisation
from attent.promises import telling
from attent.promises.durations import MIN_OBSERVATIONS
from attent.promises.durations import step_durations as step_durations  # for playbooks
from attent.promises.durations import window_minutes as window_minutes
from attent.promises.kinds import (
    PromiseCancelled,
    PromiseEvent,
    PromiseKept,
    PromiseMade,
    PromiseOffered,
    PromiseReassigned,
    PromiseReopened,
)
from attent.promises.models import Promise, PromiseKind, PromiseSource, PromiseState
from attent.promises.next_due import refresh_next_due as refresh_next_due  # callers that stage refresh
from attent.promises.policy import PromisePolicy, policy_of
from attent.promises.schemas import PromiseCreate, PromiseUpdate
from attent.timeline.service import record_event


def policy_for(*, db: Session, organisation_id: uuid.UUID) -> PromisePolicy:
    """The organisation's promise timing rules."""
    org = db.get(Organisation, organisation_id)
    return policy_of(org.settings if org else {})


def record_promise_event(
    db: Session, promise: Promise, event: PromiseEvent, at: datetime, actor: Agent | None
) -> None:
    """Append one of the promise's events to its case's timeline (the promise keeper's one writer;
    the worker's transitions go in bulk through `timeline.service.record_system_events`)."""
    record_event(
        db=db,
        organisation_id=promise.organisation_id,
        case_id=promise.case_id,
        customer_id=promise.customer_id,
        event=event,
        at=at,
        actor=actor,
    )


def _ids(promise: Promise) -> dict[str, str]:
    return {"promise_id": str(promise.id), "promise_kind": promise.kind.value}


def offer(*, db: Session, promise: Promise, owner: Agent, at: datetime) -> None:
    """Put a promise on offer to its team, saying why its owner cannot keep it."""
    promise.offered_at = at
    leaves = owner.presence is Presence.AVAILABLE and owner.available_until is not None
    offered = PromiseOffered(
        **_ids(promise),
        owner_id=str(owner.id),
        presence=owner.presence.value,
        available_until=owner.available_until.isoformat() if leaves and owner.available_until else None,
    )
    record_promise_event(db, promise, offered, at, None)


def owner_gone_before_due(owner: Agent, due_by: datetime, actor: Agent | None) -> bool:
    """Whether the owner's shift ends before the due time, or someone else gave it to an absent owner.

    Agents who make a promise themselves are plainly at work, whatever their presence says.
    """
    if owner.available_until is not None and owner.available_until < due_by:
        return True
    return owner.presence is not Presence.AVAILABLE and (actor is None or actor.id != owner.id)


def _active_agent(db: Session, organisation_id: uuid.UUID, agent_id: uuid.UUID, field: str) -> Agent:
    agent = db.get(Agent, (organisation_id, agent_id))
    if agent is None or not agent.active:
        raise Invalid(
            "unknown_owner",
            "A promise is owned by an active agent of your organisation.",
            [FieldError((field,), "No active agent with id {id}.", {"id": agent_id})],
        )
    return agent


def create(
    *,
    db: Session,
    case: Case,
    kind: PromiseKind,
    due_by: datetime,
    at: datetime,
    actor: Agent | None,
    owner_id: uuid.UUID | None,
    team_id: uuid.UUID | None = None,
    due_from: datetime | None = None,
    words: str | None = None,
    tell_customer: bool = False,
    step_type: str | None = None,
    source: PromiseSource = PromiseSource.AGENT,
    contact_id: uuid.UUID | None = None,
    staged: bool = False,
) -> Promise:
    """Write a validated promise and its timeline event; the worker takes it from here.

    `staged`: nothing is flushed (the id is minted here), and the caller refreshes the case's
    `next_promise_due` after its own flush (`refresh_next_due`): e-mail ingest writes a batch at once."""
    policy = policy_for(db=db, organisation_id=case.organisation_id)
    at_risk_at = max(at, due_by - policy.warning(kind, due_by - at))
    promise = Promise(
        organisation_id=case.organisation_id,
        id=uuid7(),  # minted here, not at flush: e-mail ingest stages a batch of promises unflushed
        case_id=case.id,
        customer_id=case.customer_id,
        kind=kind,
        state=PromiseState.OPEN,
        source=source,
        due_from=due_from,
        due_by=due_by,
        at_risk_at=at_risk_at,
        grace_until=due_by + policy.grace,
        at_risk=False,
        check_at=at_risk_at,
        owner_id=owner_id,
        team_id=team_id if team_id is not None else case.team_id,
        words=words,
        tell_customer=tell_customer,
        step_type=step_type,
        contact_id=contact_id,
        made_by_id=actor.id if actor else None,
        made_at=at,
    )
    db.add(promise)
    if not staged:
        refresh_next_due(db, organisation_id=case.organisation_id, case_ids=[case.id])  # flushes
    owner = db.get(Agent, (case.organisation_id, owner_id)) if owner_id else None
    made = PromiseMade(
        **_ids(promise),
        due_by=due_by.isoformat(),
        due_from=due_from.isoformat() if due_from else None,
        owner_id=str(owner_id) if owner_id else None,
        team_id=str(promise.team_id) if promise.team_id else None,
        words=words,
        source=source.value,
        step_type=step_type,
    )
    record_promise_event(db, promise, made, at, actor)
    if owner is not None and owner_gone_before_due(owner, due_by, actor):
        offer(db=db, promise=promise, owner=owner, at=at)
    if tell_customer:
        telling.tell_customer(db=db, promise=promise, event=PromiseMade, at=at)
    return promise


def make_promise(
    *,
    db: Session,
    actor: Agent,
    case_id: uuid.UUID,
    data: PromiseCreate,
    at: datetime,
    source: PromiseSource = PromiseSource.AGENT,
    contact_id: uuid.UUID | None = None,
) -> Promise:
    """An agent's commitment on a case (or one the coach heard and the agent accepted); owned by that
    agent unless another owner is named."""
    case = get_case(db=db, actor=actor, case_id=case_id)
    if case.status is CaseStatus.CLOSED:
        raise Conflict(
            "case_closed", "This case is closed; open a new case to promise the customer something."
        )
    field = "due_at" if data.due_at is not None else "due_by"
    due_from, due_by = data.due_from, data.deadline
    if due_by is None:
        due_from, due_by = learned_window(db=db, organisation_id=case.organisation_id, data=data, at=at)
    if due_by <= at:
        raise Invalid(
            "due_in_past",
            "A promise is due in the future.",
            [
                FieldError(
                    (field,),
                    "{until} is not after now ({now}).",
                    {"until": due_by.isoformat(), "now": at.isoformat()},
                )
            ],
        )
    owner_id = data.owner_id or actor.id
    _active_agent(db, case.organisation_id, owner_id, "owner_id")
    tell = policy_for(db=db, organisation_id=case.organisation_id).tell_customer
    if data.tell_customer and not tell:
        raise Conflict(
            "customer_messages_off",
            "Your organisation does not send customers messages about promises; an admin can switch "
            "them on in the organisation's promise settings.",
        )
    return create(
        db=db,
        case=case,
        kind=data.kind,
        due_by=due_by,
        due_from=due_from,
        at=at,
        actor=actor,
        owner_id=owner_id,
        words=data.words,
        tell_customer=tell if data.tell_customer is None else data.tell_customer,
        step_type=data.step_type,
        source=source,
        contact_id=contact_id,
    )


def learned_window(
    *, db: Session, organisation_id: uuid.UUID, data: PromiseCreate, at: datetime
) -> tuple[datetime, datetime]:
    """The window a step usually takes (median to 80th percentile, whole minutes), starting now."""
    assert data.step_type is not None  # the schema requires it for step promises
    learned = step_durations(db=db, organisation_id=organisation_id, step_type=data.step_type)
    if not learned or not learned[0].enough:
        seen = learned[0].observations if learned else 0
        raise Invalid(
            "no_learned_duration",
            "Attent has seen {seen} kept steps of the type “{step_type}”, too few to say how long it takes "
            "(it needs {needed}); give due_at or due_by.",
            [FieldError(("due_by",), "Required until this step type has enough history.")],
            seen=seen,
            step_type=data.step_type,
            needed=MIN_OBSERVATIONS,
        )
    low, high = window_minutes(learned[0])
    return at + timedelta(minutes=low), at + timedelta(minutes=high)


def get_promise(*, db: Session, actor: Agent, promise_id: uuid.UUID) -> Promise:
    """A promise on a case the actor may see."""
    promise = db.get(Promise, (actor.organisation_id, promise_id))
    if promise is None:
        raise NotFound.of("promise", promise_id)
    try:
        get_case(db=db, actor=actor, case_id=promise.case_id)
    except NotFound:
        raise NotFound.of("promise", promise_id) from None
    return promise


def update_promise(*, db: Session, actor: Agent, promise_id: uuid.UUID, data: PromiseUpdate) -> Promise:
    """Correct the words recorded with a promise."""
    promise = get_promise(db=db, actor=actor, promise_id=promise_id)
    if data.words is not None:
        promise.words = data.words
        db.flush()
    return promise


def _close(
    db: Session, promise: Promise, state: PromiseState, at: datetime, actor: Agent | None, reason: str | None
) -> None:
    if promise.state is not PromiseState.OPEN:
        raise Conflict(
            "promise_not_open",
            "This promise is {state}; only open promises can be {new_state}.",
            state=Label(promise.state.value),
            new_state=Label(state.value),
        )
    promise.state, promise.closed_at, promise.check_at = state, at, None
    promise.closed_by_id, promise.close_reason = (actor.id if actor else None), reason
    refresh_next_due(db, organisation_id=promise.organisation_id, case_ids=[promise.case_id])


def keep_promise(
    *, db: Session, actor: Agent | None, promise: Promise, at: datetime, how: str = "explicit"
) -> Promise:
    """Mark a promise kept; `how` says what kept it (an agent, an outbound contact, a reply)."""
    _close(db, promise, PromiseState.KEPT, at, actor, how)
    kept = PromiseKept(**_ids(promise), how=how, late=at > promise.due_by)
    record_promise_event(db, promise, kept, at, actor)
    db.flush()
    return promise


def reply_delivered(db: Session, event: ReplyDelivered) -> list[Promise]:
    """An agent's e-mail reply reached the customer at `event.at`: it keeps the case's follow-ups that
    were open when it was written (a follow-up promised after the reply was queued is not answered by it).

    The outbox says so when it records the reply as sent (subscribed in `attent.wiring`); until then, or
    when sending fails for good, the follow-up stays open, because the customer was not reached.
    """
    organisation_id, case_id, agent_id = event.organisation_id, event.case_id, event.agent_id
    written_at, at = event.written_at, event.at
    open_follow_ups = select(Promise).where(
        Promise.organisation_id == organisation_id,
        Promise.case_id == case_id,
        Promise.state == PromiseState.OPEN,
        Promise.kind == PromiseKind.FOLLOW_UP,
        Promise.made_at <= written_at,
    )
    kept = list(db.scalars(open_follow_ups.with_for_update()))
    agent = db.get(Agent, (organisation_id, agent_id)) if kept and agent_id is not None else None
    for promise in kept:
        keep_promise(db=db, actor=agent, promise=promise, at=at, how="reply")
    return kept


def reply_bounced(db: Session, event: ReplyBounced) -> list[Promise]:
    """An agent's reply that kept follow-ups came back undeliverable (subscribed in `attent.wiring`): the
    customer was not reached, so what it kept is owed again. Each is open once more, due as it was (the
    promise keeper looks at it at once: at risk, or broken when its time has passed), with the reason on
    the timeline and in the brief."""
    kept_by_it = select(Promise).where(
        Promise.organisation_id == event.organisation_id,
        Promise.case_id == event.case_id,
        Promise.state == PromiseState.KEPT,
        Promise.kind == PromiseKind.FOLLOW_UP,
        Promise.close_reason == "reply",
        Promise.closed_at == event.sent_at,
    )
    reopened = list(db.scalars(kept_by_it.with_for_update()))
    for promise in reopened:
        promise.state, promise.closed_at, promise.closed_by_id, promise.close_reason = (
            PromiseState.OPEN, None, None, None
        )  # fmt: skip
        promise.check_at, promise.at_risk = event.at, False
        again = PromiseReopened(
            **_ids(promise), reason=event.reason, due_by=promise.due_by.isoformat(),
            owner_id=str(promise.owner_id) if promise.owner_id else None, words=promise.words,
        )  # fmt: skip
        record_promise_event(db, promise, again, event.at, None)
    db.flush()
    return reopened


def cancel_promise(*, db: Session, actor: Agent, promise_id: uuid.UUID, reason: str, at: datetime) -> Promise:
    """Withdraw a promise, saying why; a cancelled promise is not counted as broken."""
    promise = get_promise(db=db, actor=actor, promise_id=promise_id)
    return close_cancelled(db=db, actor=actor, promise=promise, reason=reason, at=at)


def close_cancelled(
    *, db: Session, actor: Agent | None, promise: Promise, reason: str, at: datetime
) -> Promise:
    """Cancel a promise already found (and checked) by the caller."""
    _close(db, promise, PromiseState.CANCELLED, at, actor, reason)
    record_promise_event(db, promise, PromiseCancelled(**_ids(promise), reason=reason), at, actor)
    db.flush()
    return promise


def reassign_promise(
    *,
    db: Session,
    actor: Agent | None,
    promise: Promise,
    owner_id: uuid.UUID | None,
    team_id: uuid.UUID | None,
    at: datetime,
    reason: str,
) -> Promise:
    """Hand an open promise to a colleague and/or team; `owner_id=None` offers it to the team."""
    if promise.state is not PromiseState.OPEN:
        raise Conflict(
            "promise_not_open",
            "This promise is {state}; only open promises can be handed over.",
            state=Label(promise.state.value),
        )
    if team_id is not None and db.get(Team, (promise.organisation_id, team_id)) is None:
        raise Invalid(
            "unknown_team",
            "No such team.",
            [FieldError(("team_id",), "No team with id {id}.", {"id": team_id})],
        )
    new_owner = _active_agent(db, promise.organisation_id, owner_id, "owner_id") if owner_id else None
    old_owner, old_team = promise.owner_id, promise.team_id
    promise.owner_id, promise.team_id = owner_id, team_id if team_id is not None else promise.team_id
    promise.offered_at = None  # someone has it now
    reassigned = PromiseReassigned(
        **_ids(promise),
        reason=reason,
        from_owner_id=str(old_owner) if old_owner else None,
        owner_id=str(owner_id) if owner_id else None,
        from_team_id=str(old_team) if old_team else None,
        team_id=str(promise.team_id) if promise.team_id else None,
    )
    record_promise_event(db, promise, reassigned, at, actor)
    if new_owner is not None and owner_gone_before_due(new_owner, promise.due_by, actor):
        offer(db=db, promise=promise, owner=new_owner, at=at)
    db.flush()
    return promise


def list_promises(
    *,
    db: Session,
    actor: Agent,
    states: list[PromiseState] | None = None,
    owner_id: uuid.UUID | None = None,
    team_id: uuid.UUID | None = None,
    case_id: uuid.UUID | None = None,
    customer_id: uuid.UUID | None = None,
    due_before: datetime | None = None,
    due_after: datetime | None = None,
    limit: int = 50,
) -> list[Promise]:
    """The first `limit` promises of `page_promises` (for pages that show a short list)."""
    rows, _ = page_promises(
        db=db,
        actor=actor,
        states=states,
        owner_id=owner_id,
        team_id=team_id,
        case_id=case_id,
        customer_id=customer_id,
        due_before=due_before,
        due_after=due_after,
        limit=limit,
    )
    return rows


def page_promises(
    *,
    db: Session,
    actor: Agent,
    states: list[PromiseState] | None = None,
    owner_id: uuid.UUID | None = None,
    team_id: uuid.UUID | None = None,
    case_id: uuid.UUID | None = None,
    customer_id: uuid.UUID | None = None,
    due_before: datetime | None = None,
    due_after: datetime | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> tuple[list[Promise], str | None]:
    """Promises on cases the actor may see, soonest due first, one page; with no filter: my open promises."""
    if not any((states, owner_id, team_id, case_id, customer_id, due_before, due_after)):
        states, owner_id = [PromiseState.OPEN], actor.id
    cases = visible_to(select(Case.id), actor)
    if customer_id is not None:
        cases = cases.where(Case.customer_id == customer_id)  # through the cases' customer index
    query = select(Promise).where(
        Promise.organisation_id == actor.organisation_id, Promise.case_id.in_(cases)
    )
    if states:
        query = query.where(Promise.state.in_(states))
    if owner_id is not None:
        query = query.where(Promise.owner_id == owner_id)
    if team_id is not None:
        query = query.where(Promise.team_id == team_id)
    if case_id is not None:
        query = query.where(Promise.case_id == case_id)
    if due_before is not None:
        query = query.where(Promise.due_by < due_before)
    if due_after is not None:
        query = query.where(Promise.due_by >= due_after)
    return page(db, query, (Promise.due_by, Promise.id), cursor, limit)


def cases_merged(db: Session, event: CasesMerged) -> None:
    """A case was merged into another (subscribed in `attent.wiring`): its promises move, kept or not."""
    repoint(db, Promise, organisation_id=event.organisation_id, old=event.merged_id, new=event.kept_id)
    refresh_next_due(db, organisation_id=event.organisation_id, case_ids=[event.merged_id, event.kept_id])


def cases_with_open_follow_up(
    *, db: Session, organisation_id: uuid.UUID, case_ids: Collection[uuid.UUID]
) -> set[uuid.UUID]:
    """Which of the cases have an open follow-up promise, in one query (e-mail ingest, per batch)."""
    if not case_ids:
        return set()
    query = select(Promise.case_id).where(
        Promise.organisation_id == organisation_id,
        Promise.case_id.in_(list(case_ids)),
        Promise.state == PromiseState.OPEN,
        Promise.kind == PromiseKind.FOLLOW_UP,
    )
    return set(db.scalars(query))


def open_follow_up(*, db: Session, organisation_id: uuid.UUID, case_id: uuid.UUID) -> Promise | None:
    """The case's earliest open follow-up promise ("you will hear from us by …"), if it has one."""
    query = (
        select(Promise)
        .where(
            Promise.organisation_id == organisation_id,
            Promise.case_id == case_id,
            Promise.state == PromiseState.OPEN,
            Promise.kind == PromiseKind.FOLLOW_UP,
        )
        .order_by(Promise.due_by)
        .limit(1)
    )
    return db.scalars(query).first()
