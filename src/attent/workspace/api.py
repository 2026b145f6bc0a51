"""The case queue (`GET /cases` with every filter) and saved views, as JSON."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from attent.agents import Agent, CurrentAgent
from attent.cases import CaseRead
from attent.cases.service import get_case
from attent.core.deps import ClockDep, DbSession
from attent.core.onethread import OneThreadRoute
from attent.core.pagination import MAX_LIMIT
from attent.core.schemas import Page
from attent.organisations.service import get_organisation
from attent.workspace import canned, views
from attent.workspace.models import SavedView
from attent.workspace.queue import QueueRow, Sort, parse_queue, queue
from attent.workspace.schemas import (
    CannedReplyIn,
    CannedReplyRead,
    FilledReply,
    QueueCaseRead,
    ViewCreate,
    ViewRead,
)

router = APIRouter(tags=["cases"], route_class=OneThreadRoute)

FILTERS_DOC = (
    "Filters (repeat `status`, `priority` and `tag` to match any of several): `status`, `team` (or "
    "`team_id`), `owner` (an agent's id, `me` or `nobody`; or `owner_id`), `customer` (or `customer_id`), "
    "`type`, `priority`, `tag`, `channel`, `promise` (`at_risk`, `broken`, `due_today`), `waiting_over` "
    "(minutes the customer has waited for an answer), `sort` (`created`, the default: newest first; "
    "`promise_due`, `waiting`, `activity`)."
)


def _read(row: QueueRow) -> QueueCaseRead:
    return QueueCaseRead(
        **CaseRead.model_validate(row.case).model_dump(),
        reference=row.reference,
        customer_name=row.customer_name,
        tags=row.tags,
        next_promise_due=row.next_promise,
        waiting_since=row.waiting_since,
    )


Many = Annotated[list[str] | None, Query()]  # repeat to match any of several
One = Annotated[str | None, Query(max_length=200)]


@router.get("/cases", description=FILTERS_DOC)
def list_cases(
    db: DbSession,
    actor: CurrentAgent,
    clock: ClockDep,
    status: Many = None,
    priority: Many = None,
    tag: Many = None,
    team: One = None,
    team_id: One = None,
    owner: Annotated[str | None, Query(description="An agent's id, `me` or `nobody`.")] = None,
    owner_id: One = None,
    customer: One = None,
    customer_id: One = None,
    type: One = None,
    channel: One = None,
    promise: Annotated[str | None, Query(description="`at_risk`, `broken` or `due_today`.")] = None,
    waiting_over: Annotated[str | None, Query(description="Minutes the customer has waited.")] = None,
    sort: Annotated[str | None, Query(description="`created`, `promise_due`, `waiting`, `activity`.")] = None,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 50,
) -> Page[QueueCaseRead]:
    """Cases you may work, filtered and sorted; newest first unless `sort` says otherwise."""
    given = {
        "status": status, "priority": priority, "tag": tag, "team": team, "team_id": team_id,
        "owner": owner, "owner_id": owner_id, "customer": customer, "customer_id": customer_id,
        "type": type, "channel": channel, "promise": promise, "waiting_over": waiting_over, "sort": sort,
    }  # fmt: skip
    values = {k: v if isinstance(v, list) else [v] for k, v in given.items() if v is not None}
    filters = parse_queue(values, default_sort=Sort.CREATED)
    tz = get_organisation(db=db, organisation_id=actor.organisation_id).timezone
    found = queue(
        db=db, actor=actor, filters=filters, now=clock.now(), tz=tz, cursor=cursor, limit=limit, counted=False
    )
    return Page(items=[_read(r) for r in found.rows], next_cursor=found.next_cursor)


def _view_read(actor: Agent, view: SavedView, count: int) -> ViewRead:
    return ViewRead(
        id=view.id,
        name=view.name,
        team_id=view.team_id,
        agent_id=view.agent_id,
        filters=view.filters,
        count=count,
    )


@router.get("/views", tags=["views"])
def list_views(db: DbSession, actor: CurrentAgent, clock: ClockDep) -> list[ViewRead]:
    """Your saved views and your teams' shared ones, each with how many cases are in it now."""
    tz = get_organisation(db=db, organisation_id=actor.organisation_id).timezone
    shown = views.menu(db=db, actor=actor, team_names={}, now=clock.now(), tz=tz)
    return [_view_read(actor, m.view, m.count) for m in shown]


@router.post("/views", status_code=201, tags=["views"])
def create_view(body: ViewCreate, db: DbSession, actor: CurrentAgent, clock: ClockDep) -> ViewRead:
    """Save filters under a name, for yourself or (leads and admins) shared with a team."""
    raw = {k: v if isinstance(v, list) else [str(v)] for k, v in body.filters.items()}
    filters = parse_queue(raw)
    view = views.save_view(
        db=db, actor=actor, name=body.name, filters=filters, team_id=body.team_id, at=clock.now()
    )
    return _view_read(actor, view, 0)


@router.delete("/views/{view_id}", status_code=204, tags=["views"])
def delete_view(view_id: uuid.UUID, db: DbSession, actor: CurrentAgent) -> None:
    """Delete your view, or (leads and admins) a team's."""
    views.delete_view(db=db, actor=actor, view_id=view_id)


@router.get("/canned-replies", tags=["canned replies"])
def list_canned(
    db: DbSession, actor: CurrentAgent, q: Annotated[str, Query(max_length=100)] = ""
) -> list[CannedReplyRead]:
    """Your canned replies and your teams', by name; `q` searches names and words."""
    return [CannedReplyRead.model_validate(r) for r in canned.visible_replies(db=db, actor=actor, q=q)]


@router.post("/canned-replies", status_code=201, tags=["canned replies"])
def create_canned(
    body: CannedReplyIn, db: DbSession, actor: CurrentAgent, clock: ClockDep
) -> CannedReplyRead:
    """A canned reply for yourself, or (leads) for your team."""
    text = canned.CannedText(
        body.name,
        body.text_nl,
        body.text_en,
        body.then_status.value if body.then_status else "",
        body.then_tag or "",
    )
    reply = canned.save_reply(db=db, actor=actor, text=text, team_id=body.team_id, at=clock.now())
    return CannedReplyRead.model_validate(reply)


@router.delete("/canned-replies/{reply_id}", status_code=204, tags=["canned replies"])
def delete_canned(reply_id: uuid.UUID, db: DbSession, actor: CurrentAgent) -> None:
    """Delete your canned reply, or (leads) your team's."""
    canned.delete_reply(db=db, actor=actor, reply_id=reply_id)


@router.get("/cases/{case_id}/canned-replies/{reply_id}", tags=["canned replies"])
def fill_canned(
    case_id: uuid.UUID, reply_id: uuid.UUID, db: DbSession, actor: CurrentAgent, clock: ClockDep
) -> FilledReply:
    """A canned reply filled in for the case, in its customer's language, ready for the reply box."""
    case = get_case(db=db, actor=actor, case_id=case_id)
    reply = canned.get_reply(db=db, actor=actor, reply_id=reply_id)
    tz = get_organisation(db=db, organisation_id=actor.organisation_id).timezone
    text = canned.fill(db=db, actor=actor, reply=reply, case=case, now=clock.now(), timezone=tz)
    return FilledReply(
        id=reply.id, name=reply.name, text=text, then_status=reply.then_status, then_tag=reply.then_tag
    )
