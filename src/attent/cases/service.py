"""Cases: open, find, change (with validated status transitions) and annotate."""

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from functools import cache
from typing import Any, TypeVarTuple

from sqlalchemy import ColumnElement, Select, Uuid, bindparam, delete, func, or_, select
from sqlalchemy.orm import Session

from attent.agents import Agent, Role, Team, TeamMembership
from attent.agents.service import default_team_id
from attent.cases.events import CaseFinishing
from attent.cases.kinds import (
    CaseAssigned,
    CaseCreated,
    CaseNextStepSet,
    CasePriorityChanged,
    CaseStatusChanged,
    CaseTeamChanged,
    CaseUpdated,
    FieldChanged,
    NoteAdded,
)
from attent.cases.models import Case, CaseStatus, CaseViewer, Note, Priority
from attent.cases.schemas import CaseCreate, CaseUpdate, PromiseChoice
from attent.core.db import upsert_insert
from attent.core.errors import Conflict, FieldError, Invalid, NotFound
from attent.core.events import publish
from attent.core.i18n import Label
from attent.core.pagination import newest_first
from attent.customers.service import get_customer
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


Columns = TypeVarTuple("Columns")
VIEWER_ORG, VIEWER_ID = bindparam("viewer_org", type_=Uuid()), bindparam("viewer_id", type_=Uuid())
CASE_ID = bindparam("case_id", type_=Uuid())


def _may_work(organisation_id: Any, agent_id: Any, *, admin: bool) -> list[ColumnElement[bool]]:
    """The cases an agent may work: admins everything, others their teams' cases and their own."""
    conditions = [Case.organisation_id == organisation_id]
    if not admin:
        teams = select(TeamMembership.team_id).where(
            TeamMembership.organisation_id == organisation_id, TeamMembership.agent_id == agent_id
        )
        conditions.append(or_(Case.team_id.in_(teams), Case.team_id.is_(None), Case.owner_id == agent_id))
    return conditions


def visible_to(query: Select[*Columns], actor: Agent) -> Select[*Columns]:
    """Restrict a case query to what the actor may work: admins everything, others their teams' cases."""
    return query.where(*_may_work(actor.organisation_id, actor.id, admin=actor.role is Role.ADMIN))


def visible_case_by_id(query: Select[*Columns], *, admin: bool) -> Select[*Columns]:
    """A statement built once for one case by id as `visible_to` restricts it; its parameters: `viewer`.

    Building a statement costs more than running it on the hottest paths (a case by id on every case
    request); a statement built once is compiled and cache-keyed once.
    """
    return query.where(Case.id == CASE_ID, *_may_work(VIEWER_ORG, VIEWER_ID, admin=admin))


def viewer(actor: Agent, case_id: uuid.UUID) -> dict[str, uuid.UUID]:
    """The parameters of `visible_case_by_id`."""
    return {"viewer_org": actor.organisation_id, "viewer_id": actor.id, "case_id": case_id}


@cache
def _case_by_id(*, admin: bool) -> Select[Case]:
    return visible_case_by_id(select(Case), admin=admin)


def get_case(*, db: Session, actor: Agent, case_id: uuid.UUID) -> Case:
    """A case the actor may see; others' cases are 'not found', never 'forbidden'."""
    statement = _case_by_id(admin=actor.role is Role.ADMIN)
    case: Case | None = db.scalar(statement, viewer(actor, case_id))
    if case is None:
        raise NotFound.of("case", case_id)
    return case


def _check_owner_and_team(
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


def _team_or_default(db: Session, organisation_id: uuid.UUID, team_id: uuid.UUID | None) -> uuid.UUID | None:
    """A case without a team goes to the organisation's default team, so it is in someone's My work."""
    return team_id if team_id is not None else default_team_id(db=db, organisation_id=organisation_id)


def create_case(*, db: Session, actor: Agent, data: CaseCreate, at: datetime) -> Case:
    """Open a case for a customer of the actor's organisation; without a team it goes to the default team."""
    get_customer(db=db, actor=actor, customer_id=data.customer_id)
    _check_owner_and_team(
        db=db, organisation_id=actor.organisation_id, owner_id=data.owner_id, team_id=data.team_id
    )
    case = Case(
        organisation_id=actor.organisation_id,
        **data.model_dump(exclude={"team_id"}),
        team_id=_team_or_default(db, actor.organisation_id, data.team_id),
        status=CaseStatus.NEW,
        created_at=at,
        updated_at=at,
    )
    _add_case(db=db, case=case, actor=actor, at=at)
    db.flush()
    return case


def _add_case(
    *, db: Session, case: Case, actor: Agent | None, at: datetime, source: str | None = None
) -> None:
    """Store a new case and its `case.created` event, which records what it was opened with."""
    db.add(case)
    db.flush()
    created = CaseCreated(
        subject=case.subject,
        description=case.description,
        type=case.type,
        priority=case.priority.value,
        owner_id=_s(case.owner_id),
        team_id=_s(case.team_id),
        next_step=case.next_step,
        source=source,
    )
    record_case_event(db=db, case=case, event=created, at=at, actor=actor)


def _s(value: uuid.UUID | None) -> str | None:
    return str(value) if value else None


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
    changes = data.model_dump(exclude_unset=True)
    if "team_id" in changes:  # taking a case out of its team puts it in the default team
        changes["team_id"] = _team_or_default(db, case.organisation_id, changes["team_id"])
    if case.status is CaseStatus.CLOSED and changes.keys() - {"status", "promises"}:
        raise Conflict("case_closed", "This case is closed and can no longer be changed; open a new case.")
    _check_owner_and_team(
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
    db.flush()
    return case


def _text(value: Any) -> str | None:
    """A changed field's value as the timeline keeps it: ids, enums and text as text."""
    if value is None:
        return None
    return str(getattr(value, "value", value))


def list_cases(
    *,
    db: Session,
    actor: Agent,
    status: list[CaseStatus] | None = None,
    owner_id: uuid.UUID | None = None,
    team_id: uuid.UUID | None = None,
    customer_id: uuid.UUID | None = None,
    type: str | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> tuple[list[Case], str | None]:
    """The actor's visible cases, newest first, filtered; returns the page and the next cursor."""
    query = visible_to(select(Case), actor)
    if status:
        query = query.where(Case.status.in_(status))
    if owner_id is not None:
        query = query.where(Case.owner_id == owner_id)
    if team_id is not None:
        query = query.where(Case.team_id == team_id)
    if customer_id is not None:
        query = query.where(Case.customer_id == customer_id)
    if type is not None:
        query = query.where(Case.type == type)
    return newest_first(db, query, Case.id, cursor, limit)


def add_note(*, db: Session, actor: Agent, case_id: uuid.UUID, text: str, at: datetime) -> Note:
    """An internal note for colleagues; never customer-visible."""
    case = get_case(db=db, actor=actor, case_id=case_id)
    note = Note(
        organisation_id=case.organisation_id, case_id=case.id, author_id=actor.id, text=text, created_at=at
    )
    db.add(note)
    db.flush()
    record_case_event(db=db, case=case, event=NoteAdded(note_id=str(note.id), text=text), at=at, actor=actor)
    case.updated_at = at
    db.flush()
    return note


def count_customer_cases(*, db: Session, actor: Agent, customer_id: uuid.UUID) -> int:
    """All of a customer's cases in the organisation, including those the actor may not open."""
    query = select(func.count(Case.id)).where(
        Case.organisation_id == actor.organisation_id, Case.customer_id == customer_id
    )
    return db.scalar(query) or 0


def open_proactive_case(
    *,
    db: Session,
    organisation_id: uuid.UUID,
    customer_id: uuid.UUID,
    subject: str,
    description: str | None,
    type: str,
    priority: Priority,
    team_id: uuid.UUID | None,
    at: datetime,
    source: str,
    resolved: bool = False,
) -> Case:
    """A case Attent opens itself before the customer asks (a rule); `source` says which rule."""
    _check_owner_and_team(db=db, organisation_id=organisation_id, owner_id=None, team_id=team_id)
    case = Case(
        organisation_id=organisation_id,
        customer_id=customer_id,
        subject=subject,
        description=description,
        type=type,
        priority=priority,
        team_id=_team_or_default(db, organisation_id, team_id),
        status=CaseStatus.NEW,
        created_at=at,
        updated_at=at,
    )
    _add_case(db=db, case=case, actor=None, at=at, source=source)
    if resolved:
        change_status(db=db, actor=None, case=case, to=CaseStatus.RESOLVED, at=at, reason=source)
    db.flush()
    return case


# --- who has the case open (the case page's live stream keeps these rows) ---------------------------

# A page that has not said it is still there for three of its 15-second heartbeats has gone.
GONE_AFTER = timedelta(seconds=45)


def see(
    *, db: Session, organisation_id: uuid.UUID, case_id: uuid.UUID, agent_id: uuid.UUID, at: datetime
) -> None:
    """Record (or refresh) that an agent has the case open."""
    insert = upsert_insert(db)
    values = {"organisation_id": organisation_id, "case_id": case_id, "agent_id": agent_id, "seen_at": at}
    seen = insert(CaseViewer).values(**values)
    db.execute(  # excluded.*, not a parameter again: Citus loses a parameter's type in DO UPDATE
        seen.on_conflict_do_update(
            index_elements=["organisation_id", "case_id", "agent_id"], set_={"seen_at": seen.excluded.seen_at}
        )
    )


def leave(*, db: Session, organisation_id: uuid.UUID, case_id: uuid.UUID, agent_id: uuid.UUID) -> None:
    """The agent closed the case."""
    db.execute(
        delete(CaseViewer).where(
            CaseViewer.organisation_id == organisation_id,
            CaseViewer.case_id == case_id,
            CaseViewer.agent_id == agent_id,
        )
    )


def viewers(*, db: Session, actor: Agent, case_id: uuid.UUID, at: datetime) -> list[str]:
    """The names of colleagues who have this case open now (not the actor)."""
    rows = db.scalars(
        select(Agent.name)
        .join(
            CaseViewer,
            (CaseViewer.organisation_id == Agent.organisation_id) & (CaseViewer.agent_id == Agent.id),
        )
        .where(
            CaseViewer.organisation_id == actor.organisation_id,
            CaseViewer.case_id == case_id,
            CaseViewer.agent_id != actor.id,
            CaseViewer.seen_at > at - GONE_AFTER,
        )
        .order_by(Agent.name)
    )
    return list(rows)


# --- cases the customer opens themselves (a call, the web form) -------------------------------------------

OPEN_STATES = (
    CaseStatus.NEW,
    CaseStatus.OPEN,
    CaseStatus.WAITING_ON_CUSTOMER,
    CaseStatus.WAITING_ON_THIRD_PARTY,
)


def open_case_of(*, db: Session, organisation_id: uuid.UUID, customer_id: uuid.UUID) -> Case | None:
    """The customer's most recently active case that is not finished (a call or form joins it)."""
    return db.scalar(
        select(Case)
        .where(
            Case.organisation_id == organisation_id,
            Case.customer_id == customer_id,
            Case.status.in_(OPEN_STATES),
        )
        .order_by(Case.updated_at.desc(), Case.id.desc())
        .limit(1)
    )


def open_customer_case(
    *,
    db: Session,
    organisation_id: uuid.UUID,
    customer_id: uuid.UUID,
    subject: str,
    team_id: uuid.UUID | None,
    at: datetime,
    source: str,
    description: str | None = None,
) -> Case:
    """A new case the customer opened by reaching us (`source`: the call, the form), in `team_id`'s
    queue or the default team's."""
    if team_id is not None and db.get(Team, (organisation_id, team_id)) is None:
        team_id = None  # a team since removed: the default team sees it rather than nobody
    case = Case(
        organisation_id=organisation_id,
        customer_id=customer_id,
        subject=subject[:300],
        description=description,
        type="general",
        priority=Priority.NORMAL,
        team_id=_team_or_default(db, organisation_id, team_id),
        status=CaseStatus.NEW,
        created_at=at,
        updated_at=at,
    )
    _add_case(db=db, case=case, actor=None, at=at, source=source)
    db.flush()
    return case


def release_cases_of(*, db: Session, actor: Agent | None, agent: Agent, at: datetime) -> int:
    """A deactivated agent's unfinished cases lose their owner and stay in their team's queue.

    The same as an absent agent's promises being offered to the team: the team sees them unowned in
    its My work and on its team view, and whoever takes one becomes its owner (timeline: case.assigned).
    """
    finished = (CaseStatus.RESOLVED, CaseStatus.CLOSED)
    cases = db.scalars(
        select(Case).where(
            Case.organisation_id == agent.organisation_id,
            Case.owner_id == agent.id,
            Case.status.not_in(finished),
        )
    ).all()
    for case in cases:
        case.owner_id, case.updated_at = None, at
        change = CaseAssigned(field="owner_id", from_=str(agent.id), to=None)
        record_case_event(db=db, case=case, event=change, at=at, actor=actor)
    db.flush()
    return len(cases)
