"""The case list and the case page (the workspace proper grows here in the workspace issue)."""

import uuid

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from attent.briefs.service import build_brief
from attent.cases.service import get_case, list_cases
from attent.core.deps import CurrentAgent, DbSession
from attent.core.templating import render
from attent.organisations.service import get_organisation
from attent.timeline.service import case_events

router = APIRouter(include_in_schema=False)


@router.get("/")
def home() -> RedirectResponse:
    """The workspace starts at the case list."""
    return RedirectResponse("/cases", status_code=303)


@router.get("/cases")
def cases_page(request: Request, db: DbSession, actor: CurrentAgent) -> HTMLResponse:
    """The agent's visible cases, newest first."""
    rows, _ = list_cases(db=db, actor=actor, limit=100)
    org = get_organisation(db=db, organisation_id=actor.organisation_id)
    return render(request, "cases.html", agent=actor, cases=rows, tz=org.timezone)


@router.get("/cases/{case_id}")
def case_page(case_id: uuid.UUID, request: Request, db: DbSession, actor: CurrentAgent) -> HTMLResponse:
    """The handoff brief first, then the timeline newest first."""
    case = get_case(db=db, actor=actor, case_id=case_id)
    brief = build_brief(db=db, actor=actor, case_id=case.id)
    events = case_events(db=db, organisation_id=case.organisation_id, case_id=case.id, newest_first=True)
    org = get_organisation(db=db, organisation_id=actor.organisation_id)
    return render(request, "case.html", agent=actor, case=case, brief=brief, events=events, tz=org.timezone)
