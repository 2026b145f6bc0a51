"""What contacts do to promises: calling the customer keeps a call-back, a dropped call makes one."""

import uuid
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from attent.agents import Agent, Presence
from attent.cases import Case, CaseStatus
from attent.contacts import AgentAnswered, ContactDropped, ContactReachedCustomer, Direction
from attent.promises.models import Promise, PromiseKind, PromiseSource, PromiseState
from attent.promises.service import create, keep_promise, policy_for


def contact_reached_customer(db: Session, event: ContactReachedCustomer) -> None:
    """Calling the customer keeps a call-back; the customer getting through first keeps the automatic one."""
    case, contact = event.case, event.contact
    if contact.direction is Direction.OUTBOUND:
        keep_matching(
            db=db, organisation_id=case.organisation_id, customer_id=case.customer_id,
            kinds=[PromiseKind.CALLBACK], at=event.at, actor=event.actor, how="outbound contact",
        )  # fmt: skip
    else:
        keep_matching(
            db=db, organisation_id=case.organisation_id, customer_id=case.customer_id,
            kinds=[PromiseKind.CALLBACK], at=event.at, actor=None, how="customer contacted us again",
            source=PromiseSource.DROPPED_CONTACT,
        )  # fmt: skip


def contact_dropped(db: Session, event: ContactDropped) -> None:
    """A dropped call or chat becomes a call-back (see `callback_after_drop`)."""
    callback_after_drop(
        db=db, case=event.case, contact_id=event.contact.id, agent=event.agent,
        dropped_at=event.dropped_at, at=event.at,
    )  # fmt: skip


def agent_answered(db: Session, event: AgentAnswered) -> None:
    """An answer that reached the customer keeps the case's follow-ups promised before it."""
    case = event.case
    keep_matching(
        db=db, organisation_id=case.organisation_id, customer_id=case.customer_id, case_id=case.id,
        kinds=[PromiseKind.FOLLOW_UP], at=event.at, actor=event.actor, how="reply", made_by=event.at,
    )  # fmt: skip


def keep_matching(
    *,
    db: Session,
    organisation_id: uuid.UUID,
    customer_id: uuid.UUID,
    kinds: Iterable[PromiseKind],
    at: datetime,
    actor: Agent | None,
    how: str,
    case_id: uuid.UUID | None = None,
    source: PromiseSource | None = None,
    made_by: datetime | None = None,
) -> list[Promise]:
    """Keep the customer's open promises that an event fulfils (a call-back by a call, a reply);
    `made_by`: only those made by then (a message written before a promise does not keep it)."""
    query = select(Promise).where(
        Promise.organisation_id == organisation_id,
        Promise.customer_id == customer_id,
        Promise.state == PromiseState.OPEN,
        Promise.kind.in_(list(kinds)),
    )
    if case_id is not None:
        query = query.where(Promise.case_id == case_id)
    if source is not None:
        query = query.where(Promise.source == source)
    if made_by is not None:
        query = query.where(Promise.made_at <= made_by)
    kept = list(db.scalars(query.with_for_update()))
    for promise in kept:
        keep_promise(db=db, actor=actor, promise=promise, at=at, how=how)
    return kept


def callback_after_drop(
    *, db: Session, case: Case, contact_id: uuid.UUID, agent: Agent | None, dropped_at: datetime, at: datetime
) -> Promise | None:
    """A dropped call or chat on an open case becomes a call-back, owned by the same agent if available.

    Due `dropped_callback_within` after the drop; a drop logged later than that is still owed a
    call-back, so then it is due that long after it was logged. A drop keeps no call-back (the customer
    did not get the conversation it promised), so one already open on the case and due no later still
    stands for it, and a second would only say the same twice.
    """
    if case.status in (CaseStatus.RESOLVED, CaseStatus.CLOSED):
        return None
    policy = policy_for(db=db, organisation_id=case.organisation_id)
    due = dropped_at + policy.dropped_callback_within
    if due <= at:
        due = at + policy.dropped_callback_within
    already = select(Promise.id).where(
        Promise.organisation_id == case.organisation_id,
        Promise.case_id == case.id,
        Promise.state == PromiseState.OPEN,
        Promise.kind == PromiseKind.CALLBACK,
        Promise.due_by <= due,
    )
    if db.scalar(already.limit(1)) is not None:
        return None
    owner = agent.id if agent is not None and agent.presence is Presence.AVAILABLE and agent.active else None
    return create(
        db=db,
        case=case,
        kind=PromiseKind.CALLBACK,
        due_by=due,
        at=at,
        actor=None,
        owner_id=owner,
        source=PromiseSource.DROPPED_CONTACT,
        contact_id=contact_id,
        tell_customer=policy.tell_customer,
    )
