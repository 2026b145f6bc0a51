"""Playbooks: the steps of a case type (admins edit them) and starting a step on a case."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Path

from attent.agents import CurrentAgent, Idempotent
from attent.cases import CASE_TYPE
from attent.core.deps import ClockDep, DbSession
from attent.core.onethread import OneThreadRoute
from attent.playbooks import service
from attent.playbooks.schemas import PlaybookIn, PlaybookRead, StepStart, StepStarted

router = APIRouter(tags=["playbooks"], route_class=OneThreadRoute)
CaseType = Annotated[str, Path(pattern=CASE_TYPE, description="The case type, e.g. delivery_missing.")]


@router.get("/playbooks/{case_type}")
def get_playbook(case_type: CaseType, db: DbSession, actor: CurrentAgent) -> PlaybookRead:
    """The steps of a case type, each with its narration and expected duration (learned or default)."""
    return service.get_playbook(db=db, actor=actor, case_type=case_type)


@router.put("/playbooks/{case_type}")
def put_playbook(
    case_type: CaseType, body: PlaybookIn, db: DbSession, actor: CurrentAgent, clock: ClockDep
) -> PlaybookRead:
    """Replace the steps of a case type (admins)."""
    return service.replace_playbook(db=db, actor=actor, case_type=case_type, data=body, at=clock.now())


@router.post("/cases/{case_id}/playbook-steps")
def start_step(
    case_id: uuid.UUID, body: StepStart, db: DbSession, actor: CurrentAgent, clock: ClockDep, idem: Idempotent
) -> StepStarted:
    """Start a step: what to say now, how long it takes, and a step promise to offer if it is long."""
    started = service.start_step(db=db, actor=actor, case_id=case_id, data=body, at=clock.now())
    result: StepStarted = idem.remember(started)
    return result
