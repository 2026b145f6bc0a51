"""Recovery: the catalogue and policy (admins), suggestions, gestures and their decisions, check-ins,
and the outcomes report for leads."""

import uuid
from datetime import timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, Query

from attent.agents import CurrentAgent, Idempotent
from attent.cases.service import get_case
from attent.core.deps import ClockDep, DbSession
from attent.core.moments import Moment
from attent.core.onethread import OneThreadRoute
from attent.core.pagination import MAX_LIMIT
from attent.core.schemas import Bilingual, Page
from attent.customers.service import get_customer
from attent.recovery import checkins, outcomes, service
from attent.recovery.models import Gesture, GestureState
from attent.recovery.schemas import (
    Budget,
    Catalogue,
    CheckInCreate,
    CheckInRead,
    Decision,
    Decline,
    GestureOffer,
    GestureRead,
    Outcomes,
    RecoveryPolicy,
    Suggestion,
    SurveyIn,
)
from attent.recovery.suggest import budget, suggestion_for

router = APIRouter(prefix="/recovery", tags=["recovery"], route_class=OneThreadRoute)
DEFAULT_PERIOD = timedelta(days=90)


def read(gesture: Gesture) -> GestureRead:
    """A gesture as the API shows it, its name in both languages."""
    return GestureRead.model_validate(
        {
            **{c: getattr(gesture, c) for c in GestureRead.model_fields if c != "name"},
            "name": Bilingual(nl=gesture.name_nl, en=gesture.name_en),
        }
    )


@router.get("/catalogue")
def get_catalogue(db: DbSession, actor: CurrentAgent) -> Catalogue:
    """The gestures on offer, the monthly budget and the approval threshold."""
    return service.get_catalogue(db=db, actor=actor)


@router.put("/catalogue")
def put_catalogue(body: Catalogue, db: DbSession, actor: CurrentAgent) -> Catalogue:
    """Replace the catalogue, budget and threshold (admins)."""
    return service.put_catalogue(db=db, actor=actor, data=body)


@router.get("/policy")
def get_policy(db: DbSession, actor: CurrentAgent) -> RecoveryPolicy:
    """Failure types, the suggestion ladder, occasions and check-ins."""
    return service.get_policy(db=db, actor=actor)


@router.put("/policy")
def put_policy(body: RecoveryPolicy, db: DbSession, actor: CurrentAgent) -> RecoveryPolicy:
    """Replace the recovery policy (admins)."""
    return service.put_policy(db=db, actor=actor, data=body)


@router.get("/budget")
def get_budget(db: DbSession, actor: CurrentAgent, clock: ClockDep) -> Budget:
    """This month's budget in the organisation's zone: spent, waiting for approval, left."""
    return budget(db=db, organisation_id=actor.organisation_id, at=clock.now())


@router.get("/cases/{case_id}/suggestion")
def get_suggestion(
    case_id: uuid.UUID, db: DbSession, actor: CurrentAgent, clock: ClockDep
) -> Suggestion | None:
    """What the policy suggests for a failure case that has no gesture yet; null otherwise."""
    case = get_case(db=db, actor=actor, case_id=case_id)
    return suggestion_for(db=db, case=case, language=actor.language, at=clock.now())


@router.post("/cases/{case_id}/suggestion/decline")
def decline_suggestion(
    case_id: uuid.UUID, body: Decline, db: DbSession, actor: CurrentAgent, clock: ClockDep
) -> Page[GestureRead]:
    """Decline the suggested gestures, saying why; the suggestion stops showing."""
    rows = service.decline_suggestion(db=db, actor=actor, case_id=case_id, reason=body.reason, at=clock.now())
    return Page(items=[read(g) for g in rows])


@router.post("/gestures", status_code=201)
def offer(
    body: GestureOffer, db: DbSession, actor: CurrentAgent, clock: ClockDep, idem: Idempotent
) -> GestureRead:
    """Grant a gesture on a case (within your limits), or ask a lead to approve it."""
    gesture = service.offer_gesture(db=db, actor=actor, data=body, at=clock.now())
    result: GestureRead = idem.remember(read(gesture))
    return result


@router.get("/gestures")
def list_gestures(
    db: DbSession,
    actor: CurrentAgent,
    state: Annotated[list[GestureState] | None, Query()] = None,
    case_id: uuid.UUID | None = None,
    customer_id: uuid.UUID | None = None,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> Page[GestureRead]:
    """Gestures you may see, newest first."""
    rows, next_cursor = service.page_gestures(
        db=db, actor=actor, states=state, case_id=case_id, customer_id=customer_id, cursor=cursor, limit=limit
    )
    return Page(items=[read(g) for g in rows], next_cursor=next_cursor)


@router.get("/gestures/{gesture_id}")
def get_gesture(gesture_id: uuid.UUID, db: DbSession, actor: CurrentAgent) -> GestureRead:
    """One gesture."""
    return read(service.get_gesture(db=db, actor=actor, gesture_id=gesture_id))


@router.post("/gestures/{gesture_id}/grant")
def grant(
    gesture_id: uuid.UUID, db: DbSession, actor: CurrentAgent, clock: ClockDep, body: Decision | None = None
) -> GestureRead:
    """Grant a suggested gesture; within the threshold and budget an agent may, above it a lead."""
    make = body.make_promise if body else True
    return read(
        service.grant_gesture(db=db, actor=actor, gesture_id=gesture_id, make_promise=make, at=clock.now())
    )


@router.post("/gestures/{gesture_id}/request-approval")
def request_approval(
    gesture_id: uuid.UUID, db: DbSession, actor: CurrentAgent, clock: ClockDep
) -> GestureRead:
    """Ask a lead to approve a suggested gesture."""
    return read(service.request_approval(db=db, actor=actor, gesture_id=gesture_id, at=clock.now()))


@router.post("/gestures/{gesture_id}/approve")
def approve(
    gesture_id: uuid.UUID, db: DbSession, actor: CurrentAgent, clock: ClockDep, body: Decision | None = None
) -> GestureRead:
    """Approve a gesture (leads): over the threshold, over the budget, or a surprise moment."""
    make = body.make_promise if body else True
    return read(
        service.approve_gesture(db=db, actor=actor, gesture_id=gesture_id, make_promise=make, at=clock.now())
    )


@router.post("/gestures/{gesture_id}/decline")
def decline(
    gesture_id: uuid.UUID, body: Decline, db: DbSession, actor: CurrentAgent, clock: ClockDep
) -> GestureRead:
    """Decline a waiting gesture, saying why."""
    return read(
        service.decline_gesture(db=db, actor=actor, gesture_id=gesture_id, reason=body.reason, at=clock.now())
    )


@router.post("/gestures/{gesture_id}/done")
def done(gesture_id: uuid.UUID, db: DbSession, actor: CurrentAgent, clock: ClockDep) -> GestureRead:
    """The gesture reached the customer (its delivery or refund promise is kept with it)."""
    return read(service.mark_done(db=db, actor=actor, gesture_id=gesture_id, at=clock.now()))


@router.post("/gestures/{gesture_id}/survey")
def survey(
    gesture_id: uuid.UUID, body: SurveyIn, db: DbSession, actor: CurrentAgent, clock: ClockDep
) -> GestureRead:
    """Record the customer's survey score (1-5) for a granted gesture."""
    return read(service.record_survey(db=db, actor=actor, gesture_id=gesture_id, data=body, at=clock.now()))


@router.get("/outcomes")
def get_outcomes(
    db: DbSession,
    actor: CurrentAgent,
    clock: ClockDep,
    since: Moment | None = None,
    until: Moment | None = None,
    group_by: Literal["kind", "code"] = "kind",
) -> Outcomes:
    """Which gestures work (leads): given, cost, repeat-contact rate and survey score, per kind or code."""
    end = until or clock.now()
    start = since or end - DEFAULT_PERIOD
    return outcomes.outcomes(db=db, actor=actor, since=start, until=end, group_by=group_by)


@router.post("/check-ins", status_code=201)
def schedule_check_in(
    body: CheckInCreate, db: DbSession, actor: CurrentAgent, clock: ClockDep, idem: Idempotent
) -> CheckInRead:
    """Schedule a check-in: at `due_at` an agent gets a follow-up task, or the customer a message."""
    get_customer(db=db, actor=actor, customer_id=body.customer_id)
    if body.case_id is not None:
        get_case(db=db, actor=actor, case_id=body.case_id)
    check_in = service.schedule_check_in(
        db=db,
        organisation_id=actor.organisation_id,
        customer_id=body.customer_id,
        case_id=body.case_id,
        due_at=body.due_at,
        mode=body.mode.value,
        note=body.note,
        source=f"agent:{actor.id}",
        at=clock.now(),
    )
    result: CheckInRead = idem.remember(CheckInRead.model_validate(check_in))
    return result


@router.get("/check-ins")
def list_check_ins(
    db: DbSession,
    actor: CurrentAgent,
    case_id: uuid.UUID | None = None,
    customer_id: uuid.UUID | None = None,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 100,
) -> Page[CheckInRead]:
    """Check-ins of a case or a customer (or the organisation's), soonest due first."""
    if case_id is not None:
        get_case(db=db, actor=actor, case_id=case_id)
    rows, next_cursor = checkins.list_check_ins(
        db=db,
        organisation_id=actor.organisation_id,
        case_id=case_id,
        customer_id=customer_id,
        cursor=cursor,
        limit=limit,
    )
    return Page(items=[CheckInRead.model_validate(c) for c in rows], next_cursor=next_cursor)
