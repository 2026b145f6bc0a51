"""My work (the start page) and the team lead's view."""

import uuid

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from attent.cases.models import CaseStatus
from attent.core.deps import ClockDep, CurrentAgent, DbSession
from attent.core.errors import FieldError, Invalid
from attent.core.templating import render
from attent.organisations.service import get_organisation
from attent.recovery.pages import approvals
from attent.workspace.service import WorkFilters, my_work, work_counts
from attent.workspace.team import team_overview

router = APIRouter(include_in_schema=False)


def parse_filters(*, team: str, status: str, type: str) -> WorkFilters:
    """The filter form's values; empty means 'any', anything else must name a real team, status or type."""
    errors = []
    team_id = status_value = None
    if team:
        try:
            team_id = uuid.UUID(team)
        except ValueError:
            errors.append(FieldError(("query", "team"), "Not a team id."))
    if status:
        try:
            status_value = CaseStatus(status)
        except ValueError:
            errors.append(FieldError(("query", "status"), "Unknown status “{status}”.", {"status": status}))
    if len(type) > 60:
        errors.append(FieldError(("query", "type"), "A case type has at most 60 characters."))
    if errors:
        raise Invalid("invalid_filter", "The filter is not valid.", errors)
    return WorkFilters(team_id=team_id, status=status_value, type=type or None)


@router.get("/")
def my_work_page(
    request: Request,
    db: DbSession,
    actor: CurrentAgent,
    clock: ClockDep,
    team: str = "",
    status: str = "",
    type: str = "",
) -> HTMLResponse:
    """The agent's start page: what is theirs to do, the most urgent promise first."""
    filters = parse_filters(team=team, status=status, type=type)
    now = clock.now()
    work = my_work(db=db, actor=actor, filters=filters)
    org = get_organisation(db=db, organisation_id=actor.organisation_id)
    return render(
        request,
        "my_work.html",
        agent=actor,
        work=work,
        counts=work_counts(db=db, actor=actor, now=now),
        filters=filters,
        statuses=list(CaseStatus),
        now=now,
        tz=org.timezone,
    )


@router.get("/team")
def team_page(request: Request, db: DbSession, actor: CurrentAgent, clock: ClockDep) -> HTMLResponse:
    """The lead's view: promises in trouble, call-backs coming up, customers waiting, who can help."""
    now = clock.now()
    overview = team_overview(db=db, actor=actor, now=now)
    org = get_organisation(db=db, organisation_id=actor.organisation_id)
    waiting = approvals(db=db, actor=actor, at=now)
    return render(
        request, "team.html", agent=actor, team=overview, approvals=waiting, now=now, tz=org.timezone
    )
