"""Cases, notes and the timeline."""

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request

from attent.agents import CurrentAgent, Idempotent
from attent.agents.service import get_team
from attent.cases import service
from attent.cases.bulk import BulkAction
from attent.cases.schemas import (
    AssignmentIn,
    AssignmentRead,
    AvailableAgent,
    BulkResult,
    BulkUpdate,
    CaseCreate,
    CaseRead,
    CaseUpdate,
    MergeIn,
    NoteCreate,
    NoteRead,
    TagIn,
    TagRead,
)
from attent.core import access
from attent.core.deps import ClockDep, DbSession
from attent.core.onethread import OneThreadRoute
from attent.core.pagination import MAX_LIMIT
from attent.core.schemas import Page
from attent.timeline import EventRead
from attent.timeline.service import page_case_events

router = APIRouter(prefix="/cases", tags=["cases"], route_class=OneThreadRoute)
tags = APIRouter(prefix="/tags", tags=["tags"])
teams = APIRouter(prefix="/teams", tags=["teams"])


@router.post("", status_code=201)
def create_case(
    body: CaseCreate, db: DbSession, actor: CurrentAgent, clock: ClockDep, idem: Idempotent
) -> CaseRead:
    """Open a case for a customer."""
    result: CaseRead = idem.remember(
        CaseRead.model_validate(service.create_case(db=db, actor=actor, data=body, at=clock.now()))
    )
    return result


@router.post("/bulk")
def bulk_update(body: BulkUpdate, db: DbSession, actor: CurrentAgent, clock: ClockDep) -> BulkResult:
    """Assign, move team, change status, add or remove a tag on many cases in one transaction.

    Every case gets its own timeline event. When any case refuses (an illegal status move, open
    promises, a closed case) nothing is changed, and the 409 lists each refused case with its reason
    (`refused`); an id that is not a case you may work is a 422.
    """
    cases = service.bulk_update(
        db=db,
        actor=actor,
        case_ids=body.case_ids,
        action=BulkAction(body.action),
        at=clock.now(),
        owner_id=body.owner_id,
        team_id=body.team_id,
        status=body.status,
        tag=body.tag,
    )
    return BulkResult(changed=len(cases), case_ids=[c.id for c in cases])


@router.post("/{case_id}/merge")
def merge_case(
    case_id: uuid.UUID, body: MergeIn, db: DbSession, actor: CurrentAgent, clock: ClockDep
) -> CaseRead:
    """Merge this case into `into` (same customer): everything moves there, this one points to it."""
    kept = service.merge_case(db=db, actor=actor, case_id=case_id, into_id=body.into, at=clock.now())
    return CaseRead.model_validate(kept)


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


@router.get("/{case_id}/tags")
def case_tags(case_id: uuid.UUID, db: DbSession, actor: CurrentAgent) -> list[TagRead]:
    """The tags on a case, by name."""
    case = service.get_case(db=db, actor=actor, case_id=case_id)
    found = service.tags_of(db=db, organisation_id=case.organisation_id, case_ids=[case.id])
    return [TagRead(id=t.id, name=t.name) for t in found.get(case.id, [])]


@router.post("/{case_id}/tags", status_code=201)
def tag_case(case_id: uuid.UUID, body: TagIn, db: DbSession, actor: CurrentAgent, clock: ClockDep) -> TagRead:
    """Put a tag on a case; a name not yet on the organisation's list joins it."""
    tag = service.tag_case(db=db, actor=actor, case_id=case_id, name=body.name, at=clock.now())
    return TagRead(id=tag.id, name=tag.name)


@router.delete("/{case_id}/tags/{tag_id}", status_code=204)
def untag_case(
    case_id: uuid.UUID, tag_id: uuid.UUID, db: DbSession, actor: CurrentAgent, clock: ClockDep
) -> None:
    """Take a tag off a case."""
    service.untag_case(db=db, actor=actor, case_id=case_id, tag_id=tag_id, at=clock.now())


@tags.get("")
def list_tags(db: DbSession, actor: CurrentAgent) -> list[TagRead]:
    """The organisation's tags by name, with how many cases carry each."""
    return [TagRead(id=t.id, name=t.name, cases=n) for t, n in service.list_tags(db=db, actor=actor)]


@tags.post("", status_code=201)
def create_tag(body: TagIn, db: DbSession, actor: CurrentAgent, clock: ClockDep) -> TagRead:
    """Add a tag to the list (leads and admins)."""
    tag = service.create_tag(db=db, actor=actor, name=body.name, at=clock.now())
    return TagRead(id=tag.id, name=tag.name)


@tags.patch("/{tag_id}")
def rename_tag(tag_id: uuid.UUID, body: TagIn, db: DbSession, actor: CurrentAgent) -> TagRead:
    """Rename a tag everywhere (leads and admins)."""
    tag = service.rename_tag(db=db, actor=actor, tag_id=tag_id, name=body.name)
    return TagRead(id=tag.id, name=tag.name)


@tags.delete("/{tag_id}", status_code=204)
def delete_tag(tag_id: uuid.UUID, db: DbSession, actor: CurrentAgent) -> None:
    """Take a tag off the list and off every case (leads and admins)."""
    service.delete_tag(db=db, actor=actor, tag_id=tag_id)


def _assignment(db: DbSession, actor: CurrentAgent, team_id: uuid.UUID, now: datetime) -> AssignmentRead:
    setting = service.assignment_of(db=db, organisation_id=actor.organisation_id, team_id=team_id)
    ready = service.available_agents(db=db, setting=setting, now=now)
    return AssignmentRead(
        team_id=team_id,
        mode=setting.mode,
        shift_margin_minutes=setting.shift_margin_minutes,
        available=[AvailableAgent(agent_id=a.id, name=a.name, open_cases=n) for a, n in ready],
    )


@teams.get("/{team_id}/assignment")
def get_assignment(team_id: uuid.UUID, db: DbSession, actor: CurrentAgent, clock: ClockDep) -> AssignmentRead:
    """The team's automatic assignment and who would get a case now."""
    get_team(db=db, actor=actor, team_id=team_id)
    return _assignment(db, actor, team_id, clock.now())


@teams.put("/{team_id}/assignment")
def put_assignment(
    team_id: uuid.UUID, body: AssignmentIn, db: DbSession, actor: CurrentAgent, clock: ClockDep
) -> AssignmentRead:
    """Switch automatic assignment on (fewest_open, round_robin) or off; the team's leads and admins."""
    service.set_assignment(
        db=db,
        actor=actor,
        team_id=team_id,
        mode=body.mode,
        shift_margin_minutes=body.shift_margin_minutes,
        at=clock.now(),
    )
    return _assignment(db, actor, team_id, clock.now())
