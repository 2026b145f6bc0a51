"""Business hours on the API and the settings page (`/admin/business-hours`)."""

import uuid
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from attent.agents import Agent, CurrentAgent, Role
from attent.agents.service import list_teams, team_ids_of
from attent.core.deps import ClockDep, DbSession
from attent.core.errors import Invalid
from attent.core.onethread import OneThreadRoute
from attent.core.templating import check_csrf, page_language, render
from attent.organisations.service import get_organisation
from attent.workspace.hours import BusinessHoursIn, BusinessHoursRead, TeamHoursIn, read_hours, set_hours
from attent.workspace.hours import set_team_hours as store_team_hours

api = APIRouter(tags=["business hours"], route_class=OneThreadRoute)
router = APIRouter(include_in_schema=False)
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _today(db: DbSession, actor: Agent, clock: ClockDep) -> date:
    """Today in the organisation's zone, from the injectable clock."""
    zone = get_organisation(db=db, organisation_id=actor.organisation_id).timezone
    return clock.now().astimezone(ZoneInfo(zone)).date()


@api.get("/business-hours")
def get_business_hours(db: DbSession, actor: CurrentAgent, clock: ClockDep) -> BusinessHoursRead:
    """The organisation's business hours, public holidays and closed days, and the closed days coming up."""
    today = _today(db, actor, clock)
    return read_hours(db=db, actor=actor, today=today, language=actor.language)


@api.put("/business-hours")
def put_business_hours(
    body: BusinessHoursIn, db: DbSession, actor: CurrentAgent, clock: ClockDep
) -> BusinessHoursRead:
    """Set the organisation's business hours (admins); every due time counted in them follows."""
    set_hours(db=db, actor=actor, data=body)
    return read_hours(db=db, actor=actor, today=_today(db, actor, clock), language=actor.language)


@api.get("/teams/{team_id}/business-hours")
def get_team_hours(
    team_id: uuid.UUID, db: DbSession, actor: CurrentAgent, clock: ClockDep
) -> BusinessHoursRead:
    """A team's business hours as they count: its own, or the organisation's (`own` says which)."""
    today = _today(db, actor, clock)
    return read_hours(db=db, actor=actor, today=today, language=actor.language, team_id=team_id)


@api.put("/teams/{team_id}/business-hours")
def put_team_hours(
    team_id: uuid.UUID, body: TeamHoursIn, db: DbSession, actor: CurrentAgent, clock: ClockDep
) -> BusinessHoursRead:
    """Give a team hours of its own (its leads, admins): a week, closed days besides the organisation's."""
    store_team_hours(db=db, actor=actor, team_id=team_id, data=body)
    today = _today(db, actor, clock)
    return read_hours(db=db, actor=actor, today=today, language=actor.language, team_id=team_id)


@api.delete("/teams/{team_id}/business-hours")
def delete_team_hours(
    team_id: uuid.UUID, db: DbSession, actor: CurrentAgent, clock: ClockDep
) -> BusinessHoursRead:
    """The team follows the organisation's business hours again."""
    store_team_hours(db=db, actor=actor, team_id=team_id, data=None)
    today = _today(db, actor, clock)
    return read_hours(db=db, actor=actor, today=today, language=actor.language, team_id=team_id)


# ------------------------------------------------------------------------------------------- the page


def _page(
    request: Request, db: DbSession, actor: Agent, clock: ClockDep, status_code: int = 200, **extra: Any
) -> HTMLResponse:
    language = page_language(request)
    today = _today(db, actor, clock)
    hours = read_hours(db=db, actor=actor, today=today, language=language)
    mine = set(team_ids_of(db=db, agent=actor)) if actor.role is Role.LEAD else set()
    teams = [  # every team, its hours as they count, and whether this agent may change them
        (team, read_hours(db=db, actor=actor, today=today, language=language, team_id=team.id),
         actor.role is Role.ADMIN or team.id in mine)
        for team in list_teams(db=db, actor=actor)
    ]  # fmt: skip
    return render(
        request, "admin_hours.html", status_code=status_code, agent=actor, hours=hours, weekdays=WEEKDAYS,
        teams=teams, can_edit=actor.role is Role.ADMIN, **extra,
    )  # fmt: skip


@router.get("/admin/business-hours")
def hours_page(request: Request, db: DbSession, actor: CurrentAgent, clock: ClockDep) -> HTMLResponse:
    """Opening hours per weekday, the Dutch public holidays, closed days; the ones coming up."""
    return _page(request, db, actor, clock, saved=bool(request.query_params.get("saved")))


def _typed_week(form: Any) -> list[dict[str, str] | None]:
    """The seven weekdays' times as typed; a day with neither time is closed."""
    week: list[dict[str, str] | None] = []
    for n in range(7):
        opens, closes = str(form.get(f"opens-{n}", "")).strip(), str(form.get(f"closes-{n}", "")).strip()
        week.append({"opens": opens, "closes": closes} if opens or closes else None)
    return week


def _dates(form: Any, name: str) -> list[str]:
    return [line.strip() for line in str(form.get(name, "")).splitlines() if line.strip()]


@router.post("/admin/business-hours")
async def save_hours(request: Request, db: DbSession, actor: CurrentAgent, clock: ClockDep) -> Response:
    """Save the organisation's hours; a bad field is named in place and nothing is saved."""
    form = await request.form()
    check_csrf(request, str(form.get("csrf", "")))
    raw = {
        "week": _typed_week(form),
        "public_holidays": "NL" if form.get("public_holidays") == "NL" else None,
        "closed_days": _dates(form, "closed_days"),
        "open_days": _dates(form, "open_days"),
    }
    try:
        data = BusinessHoursIn.model_validate(raw)
    except ValidationError as exc:
        bad = sorted({".".join(str(p) for p in e["loc"][:2]) for e in exc.errors()})
        return _page(request, db, actor, clock, status_code=422, bad=bad, form=raw)
    set_hours(db=db, actor=actor, data=data)
    return RedirectResponse("/admin/business-hours?saved=1", status_code=303)


@router.post("/admin/business-hours/teams/{team_id}")
async def save_team_hours(
    team_id: uuid.UUID, request: Request, db: DbSession, actor: CurrentAgent, clock: ClockDep
) -> Response:
    """Give a team hours of its own (its leads, admins), or let it follow the organisation's again."""
    form = await request.form()
    check_csrf(request, str(form.get("csrf", "")))
    if form.get("follow") == "1":
        store_team_hours(db=db, actor=actor, team_id=team_id, data=None)
        return RedirectResponse("/admin/business-hours?saved=1", status_code=303)
    week = _typed_week(form)
    raw = {"week": week if any(week) else None, "closed_days": _dates(form, "closed_days")}
    try:
        data = TeamHoursIn.model_validate(raw)
        store_team_hours(db=db, actor=actor, team_id=team_id, data=data)
    except (ValidationError, Invalid) as exc:
        db.rollback()
        paths = (
            [e["loc"] for e in exc.errors()]
            if isinstance(exc, ValidationError)
            else [e.path for e in exc.errors]
        )
        bad = sorted({".".join(str(p) for p in path[:2]) for path in paths})
        return _page(
            request, db, actor, clock, status_code=422, bad_team=team_id, team_bad=bad, team_form=raw
        )
    return RedirectResponse("/admin/business-hours?saved=1", status_code=303)
