"""My work (the start page) and the team lead's view."""

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from attent.agents import Agent, CurrentAgent
from attent.cases import AssignmentMode, CaseStatus
from attent.cases.service import assignment_of, available_agents, set_assignment
from attent.core.clock import Clock
from attent.core.deps import ClockDep, DbSession
from attent.core.errors import AttentError, FieldError, Invalid
from attent.core.pageforms import redraws, submit_once, typed
from attent.core.templating import check_csrf, page_language, render
from attent.organisations.service import get_organisation
from attent.recovery import service as recovery
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
    return _team(request, db, actor, clock)


def _team(
    request: Request, db: Session, actor: Agent, clock: Clock, status_code: int = 200, **extra: Any
) -> HTMLResponse:
    now = clock.now()
    overview = team_overview(db=db, actor=actor, now=now)
    org = get_organisation(db=db, organisation_id=actor.organisation_id)
    waiting = recovery.approvals(db=db, actor=actor, at=now)
    assignments = []
    for t in overview.teams:  # each team's automatic assignment, and who would get a case now
        setting = assignment_of(db=db, organisation_id=actor.organisation_id, team_id=t.id)
        assignments.append((t, setting, available_agents(db=db, setting=setting, now=now)))
    return render(
        request, "team.html", status_code=status_code, page_url="/team", agent=actor, team=overview,
        approvals=waiting, assignments=assignments, modes=[m.value for m in AssignmentMode],
        now=now, tz=org.timezone, **extra,
    )  # fmt: skip


def _refused_decision(
    request: Request, *, db: Session, actor: Any, clock: Clock, form: FormData, errors: list[FieldError]
) -> Response:
    """A decision refused before it ran (a reason too long): the team view, the reason as typed."""
    language = page_language(request)
    shown = {
        "gesture": request.path_params.get("gesture_id"),
        "detail": "",
        "errors": [e.say(language) for e in errors],
        "values": typed(form),
    }
    return _team(request, db, actor, clock, status_code=422, approval_error=shown)


@router.post("/team/recovery/{gesture_id}/{verb}")
@redraws(_refused_decision)
def decide_on_team_page(
    gesture_id: uuid.UUID,
    verb: str,
    request: Request,
    db: DbSession,
    actor: CurrentAgent,
    clock: ClockDep,
    reason: Annotated[str, Form(max_length=500)] = "",
    csrf: Annotated[str, Form()] = "",
    once: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    """A lead approves or declines from the team view; a refusal shows beside that gesture, as typed."""
    check_csrf(request, csrf)
    guard, first = submit_once(
        request=request, db=db, actor=actor, token=once, values={"reason": reason}, at=clock.now()
    )
    if first is not None:  # a double click: decided already
        return RedirectResponse(first["location"], status_code=303)
    try:
        if verb not in ("approve", "decline"):
            raise Invalid("unknown_action", "Use approve or decline.", [])
        recovery.decide_gesture(db, actor, gesture_id, verb, reason, clock.now())
    except AttentError as exc:
        db.rollback()
        language = page_language(request)
        errors = exc.errors if isinstance(exc, Invalid) else []
        shown = {
            "gesture": str(gesture_id),
            "detail": exc.say(language),
            "errors": [e.say(language) for e in errors],
            "values": {"reason": reason},
        }
        return _team(request, db, actor, clock, status_code=exc.status, approval_error=shown)
    if guard is not None:
        guard.remember({"location": "/team#approvals"}, status_code=303)
    return RedirectResponse("/team#approvals", status_code=303)


@router.post("/team/assignment/{team_id}")
def team_assignment(
    team_id: uuid.UUID,
    request: Request,
    db: DbSession,
    actor: CurrentAgent,
    clock: ClockDep,
    mode: Annotated[str, Form()] = "",
    shift_margin_minutes: Annotated[str, Form()] = "30",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    """A lead switches the team's automatic assignment on (and how) or off, from the team view."""
    check_csrf(request, csrf)
    try:
        errors = []
        if mode not in {m.value for m in AssignmentMode}:
            errors.append(FieldError(("mode",), "Unknown value “{value}”.", {"value": mode[:20]}))
        if not shift_margin_minutes.strip().isdigit():
            errors.append(
                FieldError(("shift_margin_minutes",), "The margin is between 0 and {n} minutes.", {"n": 720})
            )
        if errors:
            raise Invalid("invalid_assignment_setting", "The setting is not valid.", errors)
        set_assignment(
            db=db, actor=actor, team_id=team_id, mode=AssignmentMode(mode),
            shift_margin_minutes=int(shift_margin_minutes), at=clock.now(),
        )  # fmt: skip
    except AttentError as exc:
        db.rollback()
        language = page_language(request)
        shown = {
            "team": str(team_id),
            "detail": exc.say(language),
            "errors": [e.say(language) for e in (exc.errors if isinstance(exc, Invalid) else [])],
        }
        return _team(request, db, actor, clock, status_code=exc.status, assignment_error=shown)
    return RedirectResponse("/team#assignment", status_code=303)
