"""Cases: open, find, change (with validated status transitions) and annotate."""

import uuid
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from attent.agents import Agent, PresenceChanged
from attent.cases.access import get_case, viewer, visible_case_by_id, visible_to
from attent.cases.assignment import (
    assign_automatically,
    assignment_of,
    available_agents,
    return_cases_of,
    set_assignment,
)
from attent.cases.batches import bulk_update
from attent.cases.changes import (
    FINISHED,
    TRANSITIONS,
    change_case,
    change_status,
    check_owner_and_team,
    team_or_default,
    update_case,
)
from attent.cases.events import CasesMerged
from attent.cases.kinds import (
    CaseAssigned,
    CaseCreated,
    CaseMerged,
    CaseMergedInto,
    CaseStatusChanged,
    NoteAdded,
)
from attent.cases.models import Case, CaseStatus, CaseTag, CaseViewer, Note, Priority, Tag
from attent.cases.schemas import CaseCreate
from attent.cases.tagging import (
    create_tag,
    delete_tag,
    get_tag,
    list_tags,
    put_tag,
    rename_tag,
    tag_for,
    tag_name,
    tagged,
    tags_of,
    take_tag,
)
from attent.cases.viewers import GONE_AFTER, leave, see, viewers
from attent.core.db import repoint
from attent.core.errors import Conflict, FieldError, Invalid, NotFound
from attent.core.events import publish
from attent.core.ids import uuid7
from attent.core.pagination import newest_first
from attent.core.setaside import SetAside
from attent.customers.service import get_customer, kept_for
from attent.timeline.service import move_case_events, record_case_event

__all__ = [  # what lives in cases.access, .changes, .batches, .tagging, .viewers and .assignment;
    # other domains reach it here
    "FINISHED",
    "GONE_AFTER",
    "TRANSITIONS",
    "assignment_of",
    "available_agents",
    "bulk_update",
    "change_case",
    "change_status",
    "create_tag",
    "delete_tag",
    "get_case",
    "get_tag",
    "leave",
    "list_tags",
    "rename_tag",
    "see",
    "set_assignment",
    "tag_name",
    "tagged",
    "tags_of",
    "team_or_default",
    "update_case",
    "viewer",
    "viewers",
    "visible_case_by_id",
    "visible_to",
]


def create_case(*, db: Session, actor: Agent, data: CaseCreate, at: datetime) -> Case:
    """Open a case for a customer of the actor's organisation; without a team it goes to the default team."""
    # A merged customer's id (an old link, an integration) opens the case for the customer kept.
    customer = kept_for(db=db, customer=get_customer(db=db, actor=actor, customer_id=data.customer_id))
    check_owner_and_team(
        db=db, organisation_id=actor.organisation_id, owner_id=data.owner_id, team_id=data.team_id
    )
    case = Case(
        organisation_id=actor.organisation_id,
        **data.model_dump(exclude={"team_id", "customer_id"}),
        customer_id=customer.id,
        team_id=team_or_default(db, actor.organisation_id, data.team_id),
        status=CaseStatus.NEW,
        created_at=at,
        updated_at=at,
    )
    _add_case(db=db, case=case, actor=actor, at=at)
    if case.owner_id is None:
        assign_automatically(db=db, case=case, at=at)
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


def list_cases(
    *,
    db: Session,
    actor: Agent,
    status: list[CaseStatus] | None = None,
    owner_id: uuid.UUID | None = None,
    team_id: uuid.UUID | None = None,
    customer_id: uuid.UUID | None = None,
    type: str | None = None,
    tag: list[str] | None = None,
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
    if tag:
        query = query.where(Case.id.in_(tagged(actor.organisation_id, tag)))
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


def merge_case(*, db: Session, actor: Agent, case_id: uuid.UUID, into_id: uuid.UUID, at: datetime) -> Case:
    """Merge a case into another of the same customer: contacts, messages, promises, notes, tags and the
    timeline move to the one kept; the merged case is closed and stays as a pointer to it.

    Both timelines say what happened (`case.merged` names where the rest came from). Refused: a case
    into itself (422), into a closed or merged case, a case merged already, or another customer's (409).
    """
    if case_id == into_id:
        raise Invalid(
            "merge_into_itself", "A case cannot be merged into itself.", [FieldError(("into",), "Same case.")]
        )
    merged = get_case(db=db, actor=actor, case_id=case_id)
    kept = get_case(db=db, actor=actor, case_id=into_id)
    if merged.merged_into_id is not None or kept.merged_into_id is not None:
        raise Conflict(
            "already_merged", "One of these cases was merged already; merge into the case it points to."
        )
    if kept.status is CaseStatus.CLOSED:
        raise Conflict("merge_into_closed", "A closed case takes nothing more; merge into an open case.")
    if kept.customer_id != merged.customer_id:
        raise Conflict(
            "merge_other_customer", "These cases are of different customers; merge the customers first."
        )
    db.flush()
    org = merged.organisation_id
    publish(db, CasesMerged(organisation_id=org, kept_id=kept.id, merged_id=merged.id, at=at))
    for model in (Note, SetAside):
        repoint(db, model, organisation_id=org, old=merged.id, new=kept.id)
    kept_tags = select(CaseTag.tag_id).where(CaseTag.organisation_id == org, CaseTag.case_id == kept.id)
    db.execute(
        delete(CaseTag).where(
            CaseTag.organisation_id == org, CaseTag.case_id == merged.id, CaseTag.tag_id.in_(kept_tags)
        )
    )
    repoint(db, CaseTag, organisation_id=org, old=merged.id, new=kept.id)
    db.execute(delete(CaseViewer).where(CaseViewer.organisation_id == org, CaseViewer.case_id == merged.id))
    move_case_events(db=db, organisation_id=org, old=merged.id, new=kept.id)
    record_case_event(
        db=db, case=kept, event=CaseMerged(from_=str(merged.id), subject=merged.subject), at=at, actor=actor
    )
    record_case_event(db=db, case=merged, event=CaseMergedInto(into=str(kept.id)), at=at, actor=actor)
    if merged.status is not CaseStatus.CLOSED:
        closed = CaseStatusChanged(from_=merged.status.value, to=CaseStatus.CLOSED.value, reason="merged")
        record_case_event(db=db, case=merged, event=closed, at=at, actor=actor)
    merged.status, merged.merged_into_id, merged.updated_at = CaseStatus.CLOSED, kept.id, at
    kept.updated_at = at
    db.flush()
    db.expire_all()  # rows of both cases moved under the session's feet
    return get_case(db=db, actor=actor, case_id=kept.id)


def owner_went_offline(db: Session, event: PresenceChanged) -> None:
    """An agent's presence changed (subscribed in `attent.wiring`): an offline owner's open cases in
    teams that assign automatically go to an available colleague."""
    return_cases_of(db=db, agent=event.agent, at=event.at)


def tag_case(*, db: Session, actor: Agent, case_id: uuid.UUID, name: str, at: datetime) -> Tag:
    """Put a tag (by name; a new name joins the list) on a case the actor may work."""
    case = get_case(db=db, actor=actor, case_id=case_id)
    tag = tag_for(db=db, actor=actor, name=name, at=at)
    put_tag(db=db, actor=actor, case=case, tag=tag, at=at)
    db.flush()
    return tag


def untag_case(*, db: Session, actor: Agent, case_id: uuid.UUID, tag_id: uuid.UUID, at: datetime) -> None:
    """Take a tag off a case the actor may work; a tag that was not on it is a 404."""
    case = get_case(db=db, actor=actor, case_id=case_id)
    tag = get_tag(db=db, actor=actor, tag_id=tag_id)
    if not take_tag(db=db, actor=actor, case=case, tag=tag, at=at):
        raise NotFound.of("tag", tag_id)
    db.flush()


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
    check_owner_and_team(db=db, organisation_id=organisation_id, owner_id=None, team_id=team_id)
    case = Case(
        organisation_id=organisation_id,
        customer_id=customer_id,
        subject=subject,
        description=description,
        type=type,
        priority=priority,
        team_id=team_or_default(db, organisation_id, team_id),
        status=CaseStatus.NEW,
        created_at=at,
        updated_at=at,
    )
    _add_case(db=db, case=case, actor=None, at=at, source=source)
    if resolved:
        change_status(db=db, actor=None, case=case, to=CaseStatus.RESOLVED, at=at, reason=source)
    db.flush()
    return case


def stage_proactive_case(
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
) -> Case:
    """`open_proactive_case` without the flush: the id is minted here, so e-mail ingest can stage a batch
    of new cases and write them in one statement (`attent.mailboxes.batch`)."""
    check_owner_and_team(db=db, organisation_id=organisation_id, owner_id=None, team_id=team_id)
    case = Case(
        organisation_id=organisation_id, id=uuid7(), customer_id=customer_id, subject=subject,
        description=description, type=type, priority=priority,
        team_id=team_or_default(db, organisation_id, team_id), status=CaseStatus.NEW, created_at=at,
        updated_at=at,
    )  # fmt: skip
    db.add(case)
    created = CaseCreated(
        subject=case.subject, description=case.description, type=case.type, priority=case.priority.value,
        owner_id=None, team_id=_s(case.team_id), next_step=case.next_step, source=source,
    )  # fmt: skip
    record_case_event(db=db, case=case, event=created, at=at, actor=None)
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
