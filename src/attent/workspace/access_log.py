"""Who has seen this person's data: the access log for admins, per customer and searchable, as a page, as
CSV and through the API.

Reading the log is itself logged (an export of the access log), so looking up who looked is visible too.
The buffer of recent views is written first, so the answer includes the last second.
"""

import csv
import io
import uuid
from datetime import datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import Field
from sqlalchemy.orm import Session

from attent.agents import Agent, CurrentAgent
from attent.agents.service import require_role, visible_agents
from attent.core import access
from attent.core.deps import ClockDep, DbSession
from attent.core.moments import Moment
from attent.core.onethread import OneThreadRoute
from attent.core.schemas import Output, Page
from attent.core.templating import render
from attent.customers.service import get_customer
from attent.organisations.service import get_organisation
from attent.privacy import retention_due, retention_settings
from attent.privacy.service import privacy_settings

router = APIRouter(include_in_schema=False)
api = APIRouter(tags=["privacy"], route_class=OneThreadRoute)
MAX_ROWS = 500


class AccessRead(Output):
    """One access: who, when, what, through which door."""

    id: uuid.UUID
    at: datetime
    agent_id: uuid.UUID | None
    action: access.Action
    subject: access.Subject
    subject_id: uuid.UUID | None
    customer_id: uuid.UUID | None
    case_id: uuid.UUID | None
    channel: str = Field(description="`page` or `api`.")


def _search(
    request: Request,
    db: Session,
    actor: Agent,
    *,
    at: datetime,
    customer_id: uuid.UUID | None,
    agent_id: uuid.UUID | None,
    action: access.Action | None,
    since: datetime | None,
    until: datetime | None,
) -> list[access.AccessEntry]:
    require_role(actor)
    if customer_id is not None:
        get_customer(db=db, actor=actor, customer_id=customer_id)  # another organisation's: 404
    request.app.state.access.flush()
    rows = list(
        db.scalars(
            access.entries(
                organisation_id=actor.organisation_id, customer_id=customer_id, agent_id=agent_id,
                action=action, since=since, until=until, limit=MAX_ROWS,
            )
        )
    )  # fmt: skip
    access.record_now(
        db,
        access.Seen(
            actor.organisation_id, actor.id, access.Action.EXPORT, access.Subject.ACCESS_LOG, None, at,
            customer_id=customer_id, channel="api" if request.url.path.startswith("/api/") else "page",
        ),
    )  # fmt: skip
    return rows


@api.get("/access-log")
def access_log(
    request: Request,
    db: DbSession,
    actor: CurrentAgent,
    clock: ClockDep,
    customer_id: uuid.UUID | None = None,
    agent_id: uuid.UUID | None = None,
    action: access.Action | None = None,
    since: Annotated[Moment | None, Query()] = None,
    until: Annotated[Moment | None, Query()] = None,
) -> Page[AccessRead]:
    """Who opened which customer, case or transcript, and who exported or erased what (admins; newest
    first, at most 500). Asking is itself recorded."""
    rows = _search(
        request, db, actor, at=clock.now(), customer_id=customer_id, agent_id=agent_id, action=action,
        since=since, until=until,
    )  # fmt: skip
    return Page(items=[AccessRead.model_validate(r) for r in rows])


@router.get("/admin/access")
def access_page(
    request: Request,
    db: DbSession,
    actor: CurrentAgent,
    clock: ClockDep,
    customer_id: uuid.UUID | None = None,
    agent_id: uuid.UUID | None = None,
    days: Annotated[int, Query(ge=1, le=3660)] = 30,
    format: str = "html",
) -> Response:
    """The access log, narrowed to one customer ("who has seen this person's data") or one agent."""
    now = clock.now()
    rows = _search(
        request, db, actor, at=now, customer_id=customer_id, agent_id=agent_id, action=None,
        since=now - timedelta(days=days), until=None,
    )  # fmt: skip
    names = {a.id: a.name for a in visible_agents(db=db, actor=actor)}
    if format == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(
            [
                "at",
                "agent_id",
                "agent",
                "action",
                "subject",
                "subject_id",
                "customer_id",
                "case_id",
                "channel",
            ]
        )
        for r in rows:
            who = names.get(r.agent_id, "") if r.agent_id else ""
            writer.writerow([
                r.at.isoformat(), r.agent_id or "", who, r.action.value, r.subject.value, r.subject_id or "",
                r.customer_id or "", r.case_id or "", r.channel,
            ])  # fmt: skip
        return Response(
            out.getvalue(), media_type="text/csv",
            headers={"Content-Disposition": 'attachment; filename="access-log.csv"'},
        )  # fmt: skip
    customer = get_customer(db=db, actor=actor, customer_id=customer_id) if customer_id else None
    org = get_organisation(db=db, organisation_id=actor.organisation_id)
    return _page(
        request,
        db,
        actor,
        rows,
        names,
        customer.name if customer else None,
        customer_id,
        agent_id,
        days,
        org.timezone,
        now,
    )


def _page(
    request: Request,
    db: Session,
    actor: Agent,
    rows: list[access.AccessEntry],
    names: dict[uuid.UUID, str],
    customer_name: str | None,
    customer_id: uuid.UUID | None,
    agent_id: uuid.UUID | None,
    days: int,
    tz: str,
    now: datetime,
) -> HTMLResponse:
    return render(
        request,
        "admin_access.html",
        agent=actor,
        rows=rows,
        names=names,
        customer_name=customer_name,
        customer_id=customer_id,
        agent_filter=agent_id,
        days=days,
        tz=tz,
        privacy=privacy_settings(db=db, organisation_id=actor.organisation_id),
        retention=retention_settings(db=db, organisation_id=actor.organisation_id),
        due=retention_due(db=db, organisation_id=actor.organisation_id, now=now),
        saved=request.query_params.get("saved") == "1",
    )
