"""Build the handoff brief by folding the case's timeline, event by event.

Each event kind has a reducer (`briefs.fold.reduces`); promise events fold in `briefs.promises`, and
later domains add modules beside it, so the brief grows with the product.
"""

import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from attent.agents import Agent
from attent.briefs import (  # noqa: F401 (importing registers their reducers)
    guidance,
    messages,
    promises,
    recovery,
    reducers,
)
from attent.briefs.fold import REDUCERS, Fold
from attent.briefs.schemas import Brief, CustomerContext, EarlierCase, Need, NextStep
from attent.cases import Case, CaseAssigned, CaseStatus
from attent.cases.service import get_case
from attent.customers import Customer
from attent.customers.service import hidden_details, refs_of
from attent.organisations.service import get_organisation
from attent.promises import PromiseMade, PromiseReassigned
from attent.timeline import TimelineEvent
from attent.timeline.service import case_events

EARLIER_CASES_SHOWN = 5


def _derive_next_step(fold: Fold, case: Case) -> NextStep:
    """When nobody wrote the next step down, say what the open items imply, most urgent first.

    A promise still open comes first, also on a resolved case (one handed over when it was resolved):
    the brief never says "nothing" while a customer is owed something.
    """
    finished = case.status in (CaseStatus.RESOLVED, CaseStatus.CLOSED)
    open_promises = sorted(
        (p for p in fold.promises.values() if p.due_at and not (finished and p.state == "broken")),
        key=lambda p: p.due_at or case.created_at,
    )  # a broken one on a finished case was dealt with when it was resolved
    if open_promises:
        return NextStep(text=promises.next_step_for(fold, open_promises[0]), source="derived")
    if finished:
        return NextStep(
            text=fold.t("Nothing: the case is resolved. Reopen it if the customer needs more."),
            source="derived",
        )
    if fold.last_outcome == "dropped":
        return NextStep(text=fold.t("Call the customer back: the last contact dropped."), source="derived")
    if fold.questions:
        return NextStep(
            text=fold.t("Answer the customer: “{text}”", text=fold.questions[-1].text), source="derived"
        )
    if case.status is CaseStatus.WAITING_ON_CUSTOMER:
        return NextStep(text=fold.t("Wait for the customer's reply."), source="derived")
    if case.status is CaseStatus.WAITING_ON_THIRD_PARTY:
        return NextStep(text=fold.t("Chase the third party we are waiting on."), source="derived")
    if case.owner_id is None:
        return NextStep(text=fold.t("Take the case and contact the customer."), source="derived")
    return NextStep(text=fold.t("Contact the customer about their need."), source="derived")


# Events that name an agent by id (an owner): the brief shows their name.
NAMING = frozenset({CaseAssigned.name, PromiseMade.name, PromiseReassigned.name})


def _names(
    *, db: Session, organisation_id: uuid.UUID, events: list[TimelineEvent], case: Case
) -> dict[uuid.UUID, str]:
    ids = {e.actor_id for e in events if e.actor_id is not None}
    if case.owner_id is not None:
        ids.add(case.owner_id)
    for e in events:
        for key in ("to", "owner_id"):
            value = e.data.get(key)
            if e.kind in NAMING and isinstance(value, str):
                ids.add(uuid.UUID(value))
    rows = db.execute(
        select(Agent.id, Agent.name).where(Agent.organisation_id == organisation_id, Agent.id.in_(ids))
    )
    return {agent_id: name for agent_id, name in rows}


def _customer_context(*, db: Session, case: Case) -> CustomerContext:
    customer = db.get(Customer, (case.organisation_id, case.customer_id))
    assert customer is not None  # the composite foreign key guarantees it
    earlier = select(Case).where(
        Case.organisation_id == case.organisation_id, Case.customer_id == case.customer_id, Case.id != case.id
    )
    count = db.scalar(select(func.count()).select_from(earlier.subquery())) or 0
    recent = db.scalars(earlier.order_by(Case.id.desc()).limit(EARLIER_CASES_SHOWN))
    hidden = hidden_details(db=db, organisation_id=case.organisation_id)
    refs = refs_of(db=db, organisation_id=case.organisation_id, customer_ids=[customer.id])[customer.id]
    return CustomerContext(
        id=customer.id,
        name=customer.name,
        language=customer.language,
        facts={
            k: str(v.get("value")) if isinstance(v, dict) else str(v)
            for k, v in hidden.facts(customer.facts).items()
        },
        external_refs=hidden.refs(refs),
        earlier_cases=[
            EarlierCase(id=c.id, subject=c.subject, status=c.status, type=c.type, created_at=c.created_at)
            for c in recent
        ],
        earlier_case_count=count,
    )


def build_brief(
    *, db: Session, actor: Agent, case_id: uuid.UUID, now: datetime, language: str | None = None
) -> Brief:
    """Fold the case's timeline into the brief a colleague reads first; due times are said as of `now`."""
    case = get_case(db=db, actor=actor, case_id=case_id)
    events = case_events(db=db, organisation_id=case.organisation_id, case_id=case.id)
    org = get_organisation(db=db, organisation_id=case.organisation_id)
    names = _names(db=db, organisation_id=case.organisation_id, events=events, case=case)
    fold = Fold(language=language or actor.language, names=names, now=now, tz=ZoneInfo(org.timezone))
    for event in events:
        reducer = REDUCERS.get(event.kind)
        if reducer is not None:
            reducer(fold, event)
    need = fold.need or (
        Need(text=fold.description, source="case_description", at=case.created_at)
        if fold.description
        else Need(text=case.subject, source="subject", at=case.created_at)
    )
    return Brief(
        case_id=case.id,
        subject=case.subject,
        status=case.status,
        priority=case.priority,
        type=case.type,
        owner_id=case.owner_id,
        owner_name=fold.names.get(case.owner_id) if case.owner_id else None,
        need=need,
        done=fold.done,
        open_promises=sorted(
            fold.promises.values(), key=lambda p: (p.due_at is None, p.due_at or case.created_at)
        ),
        unanswered=fold.questions if case.status not in (CaseStatus.RESOLVED, CaseStatus.CLOSED) else [],
        next_step=fold.next_step or _derive_next_step(fold, case),
        verified=fold.verified,
        current_step=fold.current_step
        if case.status not in (CaseStatus.RESOLVED, CaseStatus.CLOSED)
        else None,
        gestures=[g for g in fold.gestures.values() if g.state != "declined"],
        customer=_customer_context(db=db, case=case),
        contacts=fold.contacts,
        dropped_contacts=fold.dropped,
        as_of=events[-1].at if events else None,
        events=len(events),
    )
