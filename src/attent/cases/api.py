"""Cases, notes and the timeline."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request

from attent.agents import CurrentAgent, Idempotent
from attent.cases import service
from attent.cases.models import CaseStatus
from attent.cases.schemas import CASE_TYPE, CaseCreate, CaseRead, CaseUpdate, NoteCreate, NoteRead
from attent.core import access
from attent.core.deps import ClockDep, DbSession
from attent.core.onethread import OneThreadRoute
from attent.core.pagination import MAX_LIMIT
from attent.core.schemas import Page
from attent.timeline import EventRead
from attent.timeline.service import page_case_events

router = APIRouter(prefix="/cases", tags=["cases"], route_class=OneThreadRoute)


@router.post("", status_code=201)
def create_case(
    body: CaseCreate, db: DbSession, actor: CurrentAgent, clock: ClockDep, idem: Idempotent
) -> CaseRead:
    """Open a case for a customer."""
    result: CaseRead = idem.remember(
        CaseRead.model_validate(service.create_case(db=db, actor=actor, data=body, at=clock.now()))
    )
    return result


@router.get("")
def list_cases(
    db: DbSession,
    actor: CurrentAgent,
    status: Annotated[list[CaseStatus] | None, Query()] = None,
    owner_id: uuid.UUID | None = None,
    team_id: uuid.UUID | None = None,
    customer_id: uuid.UUID | None = None,
    type: Annotated[str | None, Query(pattern=CASE_TYPE)] = None,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 50,
) -> Page[CaseRead]:
    """Cases you may work, newest first; repeat `status` to match several."""
    rows, next_cursor = service.list_cases(
        db=db,
        actor=actor,
        status=status,
        owner_id=owner_id,
        team_id=team_id,
        customer_id=customer_id,
        type=type,
        cursor=cursor,
        limit=limit,
    )
    return Page(items=[CaseRead.model_validate(c) for c in rows], next_cursor=next_cursor)


@router.get("/{case_id}")
def get_case(
    case_id: uuid.UUID, request: Request, db: DbSession, actor: CurrentAgent, clock: ClockDep
) -> CaseRead:
    """One case (the access log records who asked)."""
    case = service.get_case(db=db, actor=actor, case_id=case_id)
    access.seen(
        request, organisation_id=actor.organisation_id, agent_id=actor.id, subject=access.Subject.CASE,
        subject_id=case.id, customer_id=case.customer_id, case_id=case.id, at=clock.now(),
    )  # fmt: skip
    return CaseRead.model_validate(case)


@router.patch("/{case_id}")
def update_case(
    case_id: uuid.UUID, body: CaseUpdate, db: DbSession, actor: CurrentAgent, clock: ClockDep
) -> CaseRead:
    """Change a case; an illegal status transition is a 409."""
    return CaseRead.model_validate(
        service.update_case(db=db, actor=actor, case_id=case_id, data=body, at=clock.now())
    )


@router.post("/{case_id}/notes", status_code=201)
def add_note(
    case_id: uuid.UUID,
    body: NoteCreate,
    db: DbSession,
    actor: CurrentAgent,
    clock: ClockDep,
    idem: Idempotent,
) -> NoteRead:
    """An internal note; never shown to the customer."""
    note = service.add_note(db=db, actor=actor, case_id=case_id, text=body.text, at=clock.now())
    result: NoteRead = idem.remember(NoteRead.model_validate(note))
    return result


@router.get("/{case_id}/timeline")
def timeline(
    case_id: uuid.UUID,
    db: DbSession,
    actor: CurrentAgent,
    customer_visible: Annotated[
        bool | None, Query(description="Only what the customer can (true) or cannot (false) see.")
    ] = None,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 50,
) -> Page[EventRead]:
    """Everything that happened on the case, oldest first."""
    case = service.get_case(db=db, actor=actor, case_id=case_id)
    events, next_cursor = page_case_events(
        db=db,
        organisation_id=case.organisation_id,
        case_id=case.id,
        customer_visible=customer_visible,
        cursor=cursor,
        limit=limit,
    )
    return Page(items=[EventRead.model_validate(e) for e in events], next_cursor=next_cursor)
