"""Check-ins: rows with a due time; at `due_at` the worker makes a task for an agent or writes the customer.

The worker claims due rows with `FOR UPDATE SKIP LOCKED` (PostgreSQL) and does each in the same
transaction that marks it done, so several workers never do one twice and a worker killed mid-batch
leaves its rows for the next. The customer's message goes through the channels outbox (key
`check_in:<id>`), so it is sent once, after commit.
"""

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from attent.agents import Agent
from attent.cases import Case, CaseStatus, Priority
from attent.cases.service import open_proactive_case
from attent.channels.service import queue_message
from attent.core.i18n import gettext
from attent.core.live import case_key, changed
from attent.core.pagination import page
from attent.customers import Customer
from attent.organisations import Organisation
from attent.promises import PromiseKind, PromiseSource
from attent.promises.service import create as create_promise
from attent.recovery.kinds import CheckInDone, CheckInScheduled, CheckInSkipped
from attent.recovery.models import CheckIn, CheckInMode, CheckInState, Gesture
from attent.recovery.policy import policy_of
from attent.timeline.service import record_case_event, record_event

RESOLUTION = "resolution"
FINISHED = (CaseStatus.RESOLVED, CaseStatus.CLOSED)


def new_check_in(
    *,
    db: Session,
    organisation_id: uuid.UUID,
    customer_id: uuid.UUID,
    case_id: uuid.UUID | None,
    gesture_id: uuid.UUID | None,
    due_at: datetime,
    mode: CheckInMode,
    note: str,
    source: str,
    at: datetime,
) -> CheckIn:
    """Write a check-in row and its timeline event (inputs already checked)."""
    check_in = CheckIn(
        organisation_id=organisation_id,
        customer_id=customer_id,
        case_id=case_id,
        gesture_id=gesture_id,
        due_at=due_at,
        mode=mode,
        note=note,
        source=source,
        state=CheckInState.SCHEDULED,
        created_at=at,
    )
    db.add(check_in)
    db.flush()
    record_event(
        db=db,
        organisation_id=organisation_id,
        case_id=case_id,
        customer_id=customer_id,
        event=CheckInScheduled(
            check_in_id=str(check_in.id), mode=mode.value, due_at=due_at.isoformat(), note=note, source=source
        ),
        at=at,
        actor=None,
    )
    return check_in


def _proactive_case(db: Session, check_in: CheckIn, at: datetime) -> Case:
    """A check-in without a case gets one of its own, so the task or message has a place on a timeline."""
    case = open_proactive_case(
        db=db,
        organisation_id=check_in.organisation_id,
        customer_id=check_in.customer_id,
        subject=check_in.note[:300],
        description=None,
        type="check_in",
        priority=Priority.NORMAL,
        team_id=None,
        at=at,
        source=check_in.source,
    )
    check_in.case_id = case.id
    return case


def _do(db: Session, check_in: CheckIn, now: datetime) -> None:
    org = db.get(Organisation, check_in.organisation_id)
    assert org is not None
    case = db.get(Case, (check_in.organisation_id, check_in.case_id)) if check_in.case_id else None
    if case is not None and check_in.source == RESOLUTION and case.status not in FINISHED:
        check_in.state, check_in.skip_reason = CheckInState.SKIPPED, "case_reopened"  # they came back already
        skipped = CheckInSkipped(check_in_id=str(check_in.id), reason="case_reopened")
        record_case_event(db=db, case=case, event=skipped, at=now, actor=None)
        return
    if case is None:
        case = _proactive_case(db, check_in, now)
    customer = db.get(Customer, (case.organisation_id, case.customer_id))
    assert customer is not None
    gesture = (
        db.get(Gesture, (check_in.organisation_id, check_in.gesture_id)) if check_in.gesture_id else None
    )
    if check_in.mode is CheckInMode.TASK:
        owner = db.get(Agent, (case.organisation_id, case.owner_id)) if case.owner_id else None
        promise = create_promise(
            db=db,
            case=case,
            kind=PromiseKind.FOLLOW_UP,
            at=now,
            due_by=now + timedelta(hours=policy_of(org).check_in_task_hours),
            actor=None,
            owner_id=owner.id if owner is not None and owner.active else None,
            team_id=case.team_id,
            words=check_in.note,
            source=PromiseSource.RULE,
        )
        check_in.promise_id = promise.id
    else:
        name = (gesture.name_en if customer.language == "en" else gesture.name_nl) if gesture else None
        message = queue_message(
            db=db,
            case=case,
            customer=customer,
            template="check_in",
            key=f"check_in:{check_in.id}",
            at=now,
            values={
                "customer_name": customer.name,
                "organisation": org.name,
                "case_subject": case.subject,
                "gesture": name,
            },
            data={"check_in_id": str(check_in.id)},
        )
        check_in.message_id = message.id if message is not None else None
    check_in.state, check_in.done_at = CheckInState.DONE, now
    done = CheckInDone(
        check_in_id=str(check_in.id),
        mode=check_in.mode.value,
        note=check_in.note,
        promise_id=str(check_in.promise_id) if check_in.promise_id else None,
    )
    record_case_event(db=db, case=case, event=done, at=now, actor=None)
    changed(db, case_key(case.organisation_id, case.id))


def due_check_ins(*, now: datetime, limit: int) -> Select[CheckIn]:
    """Scheduled check-ins whose time has come, soonest first, for the worker to claim."""
    return (
        select(CheckIn)
        .where(CheckIn.state == CheckInState.SCHEDULED, CheckIn.due_at <= now)
        .order_by(CheckIn.due_at)
        .limit(limit)
    )


def do_check_ins(*, db: Session, batch: Sequence[CheckIn], now: datetime) -> int:
    """Do claimed check-ins in the caller's transaction; returns how many were done or skipped."""
    for check_in in batch:
        _do(db, check_in, now)
    db.flush()
    return len(batch)


def awaiting_resolution(*, now: datetime, limit: int) -> Select[Gesture]:
    """Gestures whose case was resolved since, for the worker to claim (the gestures only, not the cases)."""
    return (
        select(Gesture)
        .join(Case, (Case.organisation_id == Gesture.organisation_id) & (Case.id == Gesture.case_id))
        .where(Gesture.await_resolution.is_(True), Case.status.in_(FINISHED))
        .order_by(Gesture.granted_at)
        .limit(limit)
    )


def schedule_after_resolution(*, db: Session, gestures: Sequence[Gesture], now: datetime) -> int:
    """Cases resolved after a gesture get their check-in, once per case; returns how many gestures moved."""
    by_case: dict[tuple[uuid.UUID, uuid.UUID], list[Gesture]] = {}
    for gesture in gestures:
        gesture.await_resolution = False
        assert gesture.case_id is not None
        by_case.setdefault((gesture.organisation_id, gesture.case_id), []).append(gesture)
    for (organisation_id, case_id), given in by_case.items():
        org = db.get(Organisation, organisation_id)
        case = db.get(Case, (organisation_id, case_id))
        assert org is not None
        assert case is not None
        policy = policy_of(org).check_in
        if policy is None:
            continue  # switched off after the grant
        names = ", ".join(g.name_en if org.language == "en" else g.name_nl for g in given)
        new_check_in(
            db=db,
            organisation_id=organisation_id,
            customer_id=case.customer_id,
            case_id=case_id,
            gesture_id=given[0].id,
            due_at=(case.resolved_at or now) + timedelta(hours=policy.after_hours),
            mode=policy.mode,
            note=gettext(org.language, "Was everything all right with: {names}?", names=names),
            source=RESOLUTION,
            at=now,
        )
    db.flush()
    return len(gestures)


def list_check_ins(
    *,
    db: Session,
    organisation_id: uuid.UUID,
    case_id: uuid.UUID | None = None,
    customer_id: uuid.UUID | None = None,
    cursor: str | None = None,
    limit: int = 100,
) -> tuple[list[CheckIn], str | None]:
    """One page of check-ins of a case or a customer, soonest due first, and the next page's cursor."""
    query = select(CheckIn).where(CheckIn.organisation_id == organisation_id)
    if case_id is not None:
        query = query.where(CheckIn.case_id == case_id)
    if customer_id is not None:
        query = query.where(CheckIn.customer_id == customer_id)
    return page(db, query, (CheckIn.due_at, CheckIn.id), cursor, limit)
