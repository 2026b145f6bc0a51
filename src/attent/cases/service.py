"""Cases: open, find, change (with validated status transitions) and annotate."""

import uuid
from collections.abc import Sequence
from datetime import datetime
from functools import cache
from typing import Any, TypeVarTuple

from sqlalchemy import ColumnElement, Select, Uuid, bindparam, delete, func, or_, select
from sqlalchemy.orm import Session

from attent.agents import Agent, PresenceChanged, Role, Team, TeamMembership
from attent.agents.service import default_team_id
from attent.cases.assignment import (
    assign_automatically,
    assignment_of,
    available_agents,
    return_cases_of,
    set_assignment,
)
from attent.cases.bulk import MAX_BATCH, BatchRefused, BulkAction, Refusal
from attent.cases.events import CaseFinishing, CasesMerged
from attent.cases.kinds import (
    CaseAssigned,
    CaseCreated,
    CaseMerged,
    CaseMergedInto,
    CaseNextStepSet,
    CasePriorityChanged,
    CaseStatusChanged,
    CaseTagged,
    CaseTeamChanged,
    CaseUntagged,
    CaseUpdated,
    FieldChanged,
    NoteAdded,
)
from attent.cases.models import Case, CaseStatus, CaseTag, CaseViewer, Note, Priority, Tag
from attent.cases.schemas import CaseCreate, CaseUpdate, PromiseChoice
from attent.cases.tagging import (
    create_tag,
    delete_tag,
    find_tag,
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
from attent.core.errors import AttentError, Conflict, FieldError, Invalid, NotFound
from attent.core.events import publish
from attent.core.i18n import Label
from attent.core.ids import uuid7
from attent.core.pagination import newest_first
from attent.core.setaside import SetAside
from attent.customers.service import get_customer, kept_for
from attent.timeline.service import move_case_events, record_case_event

__all__ = [  # what lives in cases.tagging, .viewers and .assignment; other domains reach it here
    "GONE_AFTER",
    "assignment_of",
    "available_agents",
    "create_tag",
    "delete_tag",
    "get_tag",
    "leave",
    "list_tags",
    "rename_tag",
    "see",
    "set_assignment",
    "tag_name",
    "tagged",
    "tags_of",
    "viewers",
]

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
    # A merged customer's id (an old link, an integration) opens the case for the customer kept.
    customer = kept_for(db=db, customer=get_customer(db=db, actor=actor, customer_id=data.customer_id))
    _check_owner_and_team(
        db=db, organisation_id=actor.organisation_id, owner_id=data.owner_id, team_id=data.team_id
    )
    case = Case(
        organisation_id=actor.organisation_id,
        **data.model_dump(exclude={"team_id", "customer_id"}),
        customer_id=customer.id,
        team_id=_team_or_default(db, actor.organisation_id, data.team_id),
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
    _check_owner_and_team(db=db, organisation_id=organisation_id, owner_id=None, team_id=team_id)
    case = Case(
        organisation_id=organisation_id, id=uuid7(), customer_id=customer_id, subject=subject,
        description=description, type=type, priority=priority,
        team_id=_team_or_default(db, organisation_id, team_id), status=CaseStatus.NEW, created_at=at,
        updated_at=at,
    )  # fmt: skip
    db.add(case)
    created = CaseCreated(
        subject=case.subject, description=case.description, type=case.type, priority=case.priority.value,
        owner_id=None, team_id=_s(case.team_id), next_step=case.next_step, source=source,
    )  # fmt: skip
    record_case_event(db=db, case=case, event=created, at=at, actor=None)
    return case


def _batch(db: Session, actor: Agent, case_ids: Sequence[uuid.UUID]) -> list[Case]:
    """The selected cases in the order given; one the actor may not work (or that is not there) is a 422."""
    ids = list(dict.fromkeys(case_ids))
    if not ids:
        raise Invalid("empty_batch", "Select at least one case.", [FieldError(("case_ids",), "Empty.")])
    if len(ids) > MAX_BATCH:
        raise Invalid(
            "batch_too_large",
            "Select at most {n} cases at once.",
            [FieldError(("case_ids",), "Select at most {n} cases at once.", {"n": MAX_BATCH})],
            n=MAX_BATCH,
        )
    found = {c.id: c for c in db.scalars(visible_to(select(Case), actor).where(Case.id.in_(ids)))}
    unknown = [i for i in ids if i not in found]
    if unknown:
        raise Invalid(
            "unknown_cases",
            "{n} of the selected cases do not exist or are not yours to work; nothing was changed.",
            [
                FieldError(("case_ids", ids.index(i)), "No case with id {id}.", {"id": i})
                for i in unknown[:20]
            ],
            n=len(unknown),
        )
    return [found[i] for i in ids]


def bulk_update(
    *,
    db: Session,
    actor: Agent,
    case_ids: Sequence[uuid.UUID],
    action: BulkAction,
    at: datetime,
    owner_id: uuid.UUID | None = None,
    team_id: uuid.UUID | None = None,
    status: CaseStatus | None = None,
    tag: str | None = None,
) -> list[Case]:
    """Do one thing to every selected case, each with its own timeline event, or nothing at all.

    A case that refuses is listed with its reason (`BatchRefused`, a 409); the caller rolls back.
    """
    if action is BulkAction.STATUS and status is None:
        raise Invalid(
            "invalid_batch", "Choose the status to move to.", [FieldError(("status",), "Required.")]
        )
    if action is BulkAction.MOVE_TEAM and team_id is None:
        raise Invalid("invalid_batch", "Choose the team to move to.", [FieldError(("team_id",), "Required.")])
    if action in (BulkAction.ADD_TAG, BulkAction.REMOVE_TAG) and not (tag or "").strip():
        raise Invalid("invalid_batch", "Choose the tag.", [FieldError(("tag",), "Required.")])
    cases = _batch(db, actor, case_ids)
    update = None
    if action is BulkAction.ASSIGN:
        update = CaseUpdate(owner_id=owner_id)
    elif action is BulkAction.MOVE_TEAM:
        update = CaseUpdate(team_id=team_id)
    elif action is BulkAction.STATUS:
        update = CaseUpdate(status=status)
    if update is not None:  # a bad owner or team refuses the batch as a whole, before any case
        _check_owner_and_team(
            db=db, organisation_id=actor.organisation_id, owner_id=owner_id, team_id=team_id
        )
    chosen: Tag | None = None
    if action is BulkAction.ADD_TAG:
        chosen = tag_for(db=db, actor=actor, name=tag or "", at=at, field="tag")
    elif action is BulkAction.REMOVE_TAG:
        chosen = find_tag(db=db, organisation_id=actor.organisation_id, name=tag_name(tag or "", field="tag"))
        if chosen is None:
            return cases  # no case carries a tag that does not exist: nothing to take off
    refusals: list[Refusal] = []
    if chosen is not None:  # the links the cases have now, in one query instead of one per case
        linked = set(db.scalars(select(CaseTag.case_id).where(
            CaseTag.organisation_id == actor.organisation_id, CaseTag.tag_id == chosen.id,
            CaseTag.case_id.in_([c.id for c in cases]),
        )))  # fmt: skip
    # No savepoint per case: a refusal is raised before the case is changed, and any refusal rolls the
    # whole batch back, so nothing of a refused case can remain; one flush writes the batch at the end.
    for case in cases:
        try:
            if update is not None:
                change_case(db=db, actor=actor, case=case, data=update, at=at)
            elif chosen is not None and action is BulkAction.ADD_TAG and case.id not in linked:
                link = CaseTag(
                    organisation_id=case.organisation_id, case_id=case.id, tag_id=chosen.id, added_at=at
                )
                db.add(link)
                record_case_event(db=db, case=case, event=CaseTagged(tag=chosen.name), at=at, actor=actor)
                case.updated_at = at
            elif chosen is not None and action is BulkAction.REMOVE_TAG and case.id in linked:
                record_case_event(db=db, case=case, event=CaseUntagged(tag=chosen.name), at=at, actor=actor)
                case.updated_at = at
        except AttentError as exc:
            refusals.append(Refusal(case.id, case.subject, exc))
    if refusals:
        raise BatchRefused(refusals)
    if chosen is not None and action is BulkAction.REMOVE_TAG and linked:
        db.execute(
            delete(CaseTag).where(
                CaseTag.organisation_id == actor.organisation_id,
                CaseTag.tag_id == chosen.id,
                CaseTag.case_id.in_(list(linked)),
            )
        )
    db.flush()
    return cases


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
