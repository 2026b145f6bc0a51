"""Which gestures work: did the customer come back within 30 days, and how did they score us.

The worker looks once per gesture, when its 30 days are over (`outcome_due_at`, a row with a due
time), so the report is a plain aggregate over stored outcomes and never rescans the whole history.
"""

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import Select, func, select
from sqlalchemy import case as when
from sqlalchemy.orm import Session

from attent.agents import Agent, Role
from attent.agents.service import require_role
from attent.cases import Case
from attent.contacts import Contact, Direction
from attent.recovery.kinds import GestureOutcome
from attent.recovery.models import Gesture, GestureState
from attent.recovery.policy import catalogue_of, organisation
from attent.recovery.schemas import OutcomeLine, Outcomes
from attent.timeline.service import record_event

WINDOW = timedelta(days=30)


def first_repeat(db: Session, gesture: Gesture) -> datetime | None:
    """The customer's first new inbound contact or new case within 30 days after the grant."""
    assert gesture.granted_at is not None
    start, end = gesture.granted_at, gesture.granted_at + WINDOW
    own_cases = select(Case.id).where(
        Case.organisation_id == gesture.organisation_id, Case.customer_id == gesture.customer_id
    )
    contact = db.scalar(
        select(func.min(Contact.started_at)).where(
            Contact.organisation_id == gesture.organisation_id,
            Contact.case_id.in_(own_cases),  # through the cases' customer index
            Contact.direction == Direction.INBOUND,
            Contact.started_at > start,
            Contact.started_at <= end,
        )
    )
    new_case = db.scalar(
        select(func.min(Case.created_at)).where(
            Case.organisation_id == gesture.organisation_id,
            Case.customer_id == gesture.customer_id,
            Case.created_at > start,
            Case.created_at <= end,
            Case.id != gesture.case_id if gesture.case_id else Case.id.is_not(None),
        )
    )
    found = [t for t in (contact, new_case) if t is not None]
    return min(found) if found else None


def due_outcomes(*, now: datetime, limit: int) -> Select[Gesture]:
    """Gestures whose 30 days are over, for the worker to claim."""
    return select(Gesture).where(Gesture.outcome_due_at <= now).order_by(Gesture.outcome_due_at).limit(limit)


def record_outcomes(*, db: Session, batch: Sequence[Gesture], now: datetime) -> int:
    """Store each claimed gesture's outcome; returns how many."""
    for gesture in batch:
        repeat = first_repeat(db, gesture)
        gesture.repeat_contact, gesture.repeat_contact_at = repeat is not None, repeat
        gesture.outcome_at, gesture.outcome_due_at = now, None
        record_event(
            db=db,
            organisation_id=gesture.organisation_id,
            case_id=gesture.case_id,
            customer_id=gesture.customer_id,
            event=GestureOutcome(
                gesture_id=str(gesture.id),
                code=gesture.code,
                repeat_contact=repeat is not None,
                repeat_contact_at=repeat.isoformat() if repeat else None,
            ),
            at=now,
            actor=None,
        )
    db.flush()
    return len(batch)


def outcomes(
    *, db: Session, actor: Agent, since: datetime, until: datetime, group_by: Literal["kind", "code"] = "kind"
) -> Outcomes:
    """Per gesture kind (or code), of those granted in the period: how many, the cost, repeat contacts
    among those whose 30 days are over, and the average survey score."""
    require_role(actor, Role.LEAD)
    key = Gesture.kind if group_by == "kind" else Gesture.code
    rows = db.execute(
        select(
            key,
            func.count(),
            func.coalesce(func.sum(Gesture.cost_cents), 0),
            func.count(Gesture.outcome_at),
            func.coalesce(func.sum(when((Gesture.repeat_contact.is_(True), 1), else_=0)), 0),
            func.count(Gesture.survey_score),
            func.avg(Gesture.survey_score),
        )
        .where(
            Gesture.organisation_id == actor.organisation_id,
            Gesture.state.in_((GestureState.GRANTED, GestureState.DONE)),
            Gesture.granted_at >= since,
            Gesture.granted_at < until,
        )
        .group_by(key)
        .order_by(key)
    ).all()
    lines = [
        OutcomeLine(
            key=str(getattr(k, "value", k)),
            given=given,
            cost_cents=int(cost),
            evaluated=evaluated,
            repeat_contacts=int(repeats),
            repeat_rate=round(int(repeats) / evaluated, 3) if evaluated else None,
            surveys=surveys,
            average_score=round(float(avg), 2) if avg is not None else None,
        )
        for k, given, cost, evaluated, repeats, surveys, avg in rows
    ]
    currency = catalogue_of(organisation(db, actor.organisation_id)).currency
    return Outcomes(since=since, until=until, group_by=group_by, currency=currency, lines=lines)
