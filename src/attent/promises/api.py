"""Promises: make, list, read, keep, cancel, hand over."""

import uuid
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Query

from attent.agents import CurrentAgent, Idempotent
from attent.cases.service import get_case
from attent.core.deps import ClockDep, DbSession
from attent.core.moments import Moment
from attent.core.onethread import OneThreadRoute
from attent.core.pagination import MAX_LIMIT
from attent.core.schemas import Page
from attent.promises import metrics, service, settings
from attent.promises.durations import StepDuration, step_durations
from attent.promises.metrics import GroupBy, Period, PromiseMetrics
from attent.promises.models import PromiseState
from attent.promises.schemas import (
    CancelBody,
    PromiseCreate,
    PromiseRead,
    PromiseSettings,
    PromiseUpdate,
    ReassignBody,
)

router = APIRouter(tags=["promises"], route_class=OneThreadRoute)


@router.post("/cases/{case_id}/promises", status_code=201)
def make_promise(
    case_id: uuid.UUID,
    body: PromiseCreate,
    db: DbSession,
    actor: CurrentAgent,
    clock: ClockDep,
    idem: Idempotent,
) -> PromiseRead:
    """Promise the customer something with a due time; Attent keeps watch until it is kept."""
    promise = service.make_promise(db=db, actor=actor, case_id=case_id, data=body, at=clock.now())
    result: PromiseRead = idem.remember(PromiseRead.model_validate(promise))
    return result


@router.get("/cases/{case_id}/promises")
def list_case_promises(
    case_id: uuid.UUID,
    db: DbSession,
    actor: CurrentAgent,
    state: Annotated[list[PromiseState] | None, Query()] = None,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 50,
) -> Page[PromiseRead]:
    """The case's promises, soonest due first (the list `/promises?case_id=` gives, under the case)."""
    get_case(db=db, actor=actor, case_id=case_id)  # a case you may not see is a 404, not an empty list
    rows, next_cursor = service.page_promises(
        db=db, actor=actor, states=state, case_id=case_id, cursor=cursor, limit=limit
    )
    return Page(items=[PromiseRead.model_validate(p) for p in rows], next_cursor=next_cursor)


@router.get("/promises")
def list_promises(
    db: DbSession,
    actor: CurrentAgent,
    state: Annotated[list[PromiseState] | None, Query()] = None,
    owner_id: uuid.UUID | None = None,
    team_id: uuid.UUID | None = None,
    case_id: uuid.UUID | None = None,
    due_before: Moment | None = None,
    due_after: Moment | None = None,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 50,
) -> Page[PromiseRead]:
    """Promises, soonest due first; without filters, your own open promises."""
    rows, next_cursor = service.page_promises(
        db=db,
        actor=actor,
        states=state,
        owner_id=owner_id,
        team_id=team_id,
        case_id=case_id,
        due_before=due_before,
        due_after=due_after,
        cursor=cursor,
        limit=limit,
    )
    return Page(items=[PromiseRead.model_validate(p) for p in rows], next_cursor=next_cursor)


@router.get("/promises/{promise_id}")
def get_promise(promise_id: uuid.UUID, db: DbSession, actor: CurrentAgent) -> PromiseRead:
    """One promise."""
    return PromiseRead.model_validate(service.get_promise(db=db, actor=actor, promise_id=promise_id))


@router.patch("/promises/{promise_id}")
def update_promise(
    promise_id: uuid.UUID, body: PromiseUpdate, db: DbSession, actor: CurrentAgent
) -> PromiseRead:
    """Correct the words recorded with a promise."""
    return PromiseRead.model_validate(
        service.update_promise(db=db, actor=actor, promise_id=promise_id, data=body)
    )


@router.post("/promises/{promise_id}/keep")
def keep(promise_id: uuid.UUID, db: DbSession, actor: CurrentAgent, clock: ClockDep) -> PromiseRead:
    """Mark a promise kept."""
    promise = service.get_promise(db=db, actor=actor, promise_id=promise_id)
    return PromiseRead.model_validate(
        service.keep_promise(db=db, actor=actor, promise=promise, at=clock.now())
    )


@router.post("/promises/{promise_id}/cancel")
def cancel(
    promise_id: uuid.UUID, body: CancelBody, db: DbSession, actor: CurrentAgent, clock: ClockDep
) -> PromiseRead:
    """Withdraw a promise; the reason is required."""
    promise = service.cancel_promise(
        db=db, actor=actor, promise_id=promise_id, reason=body.reason, at=clock.now()
    )
    return PromiseRead.model_validate(promise)


@router.post("/promises/{promise_id}/reassign")
def reassign(
    promise_id: uuid.UUID, body: ReassignBody, db: DbSession, actor: CurrentAgent, clock: ClockDep
) -> PromiseRead:
    """Hand a promise to a colleague or a team."""
    promise = service.get_promise(db=db, actor=actor, promise_id=promise_id)
    moved = service.reassign_promise(
        db=db,
        actor=actor,
        promise=promise,
        owner_id=body.owner_id,
        team_id=body.team_id,
        at=clock.now(),
        reason="reassigned",
    )
    return PromiseRead.model_validate(moved)


@router.get("/step-types")
def step_types(db: DbSession, actor: CurrentAgent) -> Page[StepDuration]:
    """How long each step type takes (median, 80th percentile) and how many kept promises that rests on."""
    return Page(items=step_durations(db=db, organisation_id=actor.organisation_id))


@router.get("/promise-metrics")
def promise_metrics(
    db: DbSession,
    actor: CurrentAgent,
    clock: ClockDep,
    group_by: GroupBy = "agent",
    period: Period = "week",
    since: Moment | None = None,
    until: Moment | None = None,
) -> Page[PromiseMetrics]:
    """Promises made, kept, broken and cancelled per agent, team or kind and period (default: 30 days)."""
    until = until or clock.now()
    rows = metrics.promise_metrics(
        db=db,
        actor=actor,
        group_by=group_by,
        period=period,
        since=since or until - timedelta(days=30),
        until=until,
    )
    return Page(items=rows)


@router.get("/promise-settings")
def get_promise_settings(db: DbSession, actor: CurrentAgent) -> PromiseSettings:
    """The organisation's promise rules: warning times, grace, dropped-call call-backs, customer messages."""
    return PromiseSettings.model_validate(settings.promise_settings(db=db, actor=actor))


@router.put("/promise-settings")
def set_promise_settings(body: PromiseSettings, db: DbSession, actor: CurrentAgent) -> PromiseSettings:
    """Change the promise rules (admins); promises already made keep their times."""
    return PromiseSettings.model_validate(settings.set_promise_settings(db=db, actor=actor, data=body))
