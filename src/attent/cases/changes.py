"""Changing a case: its status along the legal moves, and its fields, each change a timeline event."""

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from attent.agents import Agent, Team
from attent.agents.service import default_team_id
from attent.cases.access import get_case
from attent.cases.events import CaseFinishing
from attent.cases.kinds import (
    CaseAssigned,
    CaseNextStepSet,
    CasePriorityChanged,
    CaseStatusChanged,
    CaseTeamChanged,
    CaseUpdated,
    FieldChanged,
)
from attent.cases.models import Case, CaseStatus
from attent.cases.schemas import CaseUpdate, PromiseChoice
from attent.core.errors import Conflict, FieldError, Invalid
from attent.core.events import publish
from attent.core.i18n import Label
from attent.timeline.service import record_case_event

S = CaseStatus
TRANSITIONS: dict[CaseStatus, frozenset[CaseStatus]] = {
    S.NEW: frozenset({S.OPEN, S.WAITING_ON_CUSTOMER, S.WAITING_ON_THIRD_PARTY, S.RESOLVED}),
    S.OPEN: frozenset({S.WAITING_ON_CUSTOMER, S.WAITING_ON_THIRD_PARTY, S.RESOLVED}),
    S.WAITING_ON_CUSTOMER: frozenset({S.OPEN, S.WAITING_ON_THIRD_PARTY, S.RESOLVED}),
    S.WAITING_ON_THIRD_PARTY: frozenset({S.OPEN, S.WAITING_ON_CUSTOMER, S.RESOLVED}),
    S.RESOLVED: frozenset({S.OPEN, S.CLOSED}),
    S.CLOSED: frozenset(),
}


def check_owner_and_team(
    *, db: Session, organisation_id: uuid.UUID, owner_id: uuid.UUID | None, team_id: uuid.UUID | None
) -> None:
    errors = []
    if owner_id is not None:
        owner = db.get(Agent, (organisation_id, owner_id))
        if owner is None or not owner.active:
            errors.append(FieldError(("owner_id",), "No active agent with id {id}.", {"id": owner_id}))
    if team_id is not None and db.get(Team, (organisation_id, team_id)) is None:
        errors.append(FieldError(("team_id",), "No team with id {id}.", {"id": team_id}))
    if errors:
        raise Invalid("invalid_assignment", "The case cannot be assigned as given.", errors)


def team_or_default(db: Session, organisation_id: uuid.UUID, team_id: uuid.UUID | None) -> uuid.UUID | None:
    """A case without a team goes to the organisation's default team, so it is in someone's My work."""
    return team_id if team_id is not None else default_team_id(db=db, organisation_id=organisation_id)


FINISHED = (CaseStatus.RESOLVED, CaseStatus.CLOSED)


def change_status(
    *,
    db: Session,
    actor: Agent | None,
    case: Case,
    to: CaseStatus,
    at: datetime,
    reason: str | None = None,
    promises: Sequence[PromiseChoice] = (),
) -> None:
    """Move a case to another status, or refuse with 409 naming the legal moves.

    Resolving or closing settles each open promise as `promises` says (kept, cancelled, handed over);
    with one left undecided it is a 409 `open_promises` naming them.
    """
    if case.status is to:
        return
    if to not in TRANSITIONS[case.status]:
        allowed = [Label(s.value) for s in sorted(TRANSITIONS[case.status], key=lambda s: s.value)]
        if not allowed:
            raise Conflict(
                "illegal_status_transition", "A closed case stays closed; open a new case for the customer."
            )
        raise Conflict(
            "illegal_status_transition",
            "A case that is {status} cannot become {to}; it can become: {allowed}.",
            status=Label(case.status.value),
            to=Label(to.value),
            allowed=allowed,
        )
    if to in FINISHED:
        publish(db, CaseFinishing(case=case, to=to, actor=actor, choices=promises, at=at))
    moved = CaseStatusChanged(from_=case.status.value, to=to.value, reason=reason)
    record_case_event(db=db, case=case, event=moved, at=at, actor=actor)
    case.status = to
    case.resolved_at = (
        at if to is CaseStatus.RESOLVED else (case.resolved_at if to is CaseStatus.CLOSED else None)
    )
    case.updated_at = at


def update_case(*, db: Session, actor: Agent, case_id: uuid.UUID, data: CaseUpdate, at: datetime) -> Case:
    """Change a case; each change becomes its own timeline event."""
    case = get_case(db=db, actor=actor, case_id=case_id)
    change_case(db=db, actor=actor, case=case, data=data, at=at)
    db.flush()
    return case


def change_case(*, db: Session, actor: Agent, case: Case, data: CaseUpdate, at: datetime) -> None:
    """Change a case the caller checked the actor may work; each change becomes its own timeline event."""
    changes = data.model_dump(exclude_unset=True)
    if "team_id" in changes:  # taking a case out of its team puts it in the default team
        changes["team_id"] = team_or_default(db, case.organisation_id, changes["team_id"])
    if case.status is CaseStatus.CLOSED and changes.keys() - {"status", "promises"}:
        raise Conflict("case_closed", "This case is closed and can no longer be changed; open a new case.")
    check_owner_and_team(
        db=db,
        organisation_id=case.organisation_id,
        owner_id=changes.get("owner_id"),
        team_id=changes.get("team_id"),
    )
    if "status" in changes and data.status is not None:
        change_status(db=db, actor=actor, case=case, to=data.status, at=at, promises=data.promises)
    plain: dict[str, type[FieldChanged]] = {
        "subject": CaseUpdated,
        "type": CaseUpdated,
        "priority": CasePriorityChanged,
    }
    linked: dict[str, type[FieldChanged]] = {
        "owner_id": CaseAssigned,
        "team_id": CaseTeamChanged,
        "next_step": CaseNextStepSet,
    }
    for field, kind in {**plain, **linked}.items():
        if field not in changes or (field in plain and changes[field] is None):
            continue
        old, new = getattr(case, field), changes[field]
        if old == new:
            continue
        setattr(case, field, new)
        change = kind(field=field, from_=_text(old), to=_text(new))
        record_case_event(db=db, case=case, event=change, at=at, actor=actor)
        case.updated_at = at


def _text(value: Any) -> str | None:
    """A changed field's value as the timeline keeps it: ids, enums and text as text."""
    if value is None:
        return None
    return str(getattr(value, "value", value))
