"""/insight: the dashboard a lead opens on Monday (their teams), an admin for the organisation, and an
agent for their own figures (feedback, never a ranking); and each table as a CSV download."""

import uuid
from dataclasses import replace
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from attent.agents import CurrentAgent, Role
from attent.agents.service import list_teams, team_ids_of
from attent.contacts import Channel
from attent.core.deps import ClockDep, DbSession
from attent.core.errors import AttentError, FieldError, Invalid
from attent.core.templating import check_csrf, page_language, render
from attent.insight import dashboard, export, service, weekly
from attent.insight.dashboard import Picker
from attent.insight.scope import Scope, local_today

router = APIRouter(include_in_schema=False)
PICKERS: tuple[Picker, ...] = ("week", "month", "quarter", "custom")
MEASURE_NAMES = tuple(service.MEASURES)


def _day(value: str, name: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise Invalid(
            "invalid_date",
            "Dates are written as 2026-11-23.",
            [FieldError(("query", name), "“{value}” is not a date.", {"value": value})],
        ) from None


def _uuid(value: str, name: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value) if value else None
    except ValueError:
        raise Invalid(
            "invalid_id", "Choose from the list.", [FieldError(("query", name), "Choose from the list.")]
        ) from None


def _scope(
    request: Request, db: Any, actor: Any, clock: Any, query: dict[str, str], group_by: Any = None
) -> Scope:
    """The scope the page's query names; the period picker's choice, or the custom days."""
    now = clock.now()
    picker = query.get("period") or "week"
    if picker not in PICKERS:
        raise Invalid(
            "invalid_period",
            "Choose from the list.",
            [FieldError(("query", "period"), "Choose from the list.")],
        )
    if picker == "custom":
        since, until = _day(query.get("since", ""), "since"), _day(query.get("until", ""), "until")
    else:
        today = local_today(db=db, organisation_id=actor.organisation_id, now=now)
        since, until = dashboard.period_of(picker, today)
    channel = query.get("channel") or None
    if channel is not None and channel not in {c.value for c in Channel}:
        raise Invalid(
            "invalid_channel",
            "Choose from the list.",
            [FieldError(("query", "channel"), "Choose from the list.")],
        )
    first_pass = service.scope_for(
        db=db,
        actor=actor,
        now=now,
        since=since,
        until=until,
        team_id=_uuid(query.get("team_id", ""), "team_id"),
        channel=Channel(channel) if channel else None,
        case_type=(query.get("type") or "").strip()[:60] or None,
    )
    bucket = group_by or dashboard.bucket_for(first_pass.first_day, first_pass.last_day)
    return replace(first_pass, group_by=bucket)


@router.get("/insight")
def insight_page(request: Request, db: DbSession, actor: CurrentAgent, clock: ClockDep) -> HTMLResponse:
    """Headline figures with their trend, charts with a table behind each, CSV downloads."""
    query = dict(request.query_params)
    language = page_language(request)
    errors: list[str] = []
    try:
        scope = _scope(request, db, actor, clock, query)
    except AttentError as exc:
        errors = [e.say(language) for e in getattr(exc, "errors", [])] or [exc.say(language)]
        query = {"period": "week"}
        scope = _scope(request, db, actor, clock, query)
    teams = []
    if actor.role is Role.ADMIN:
        teams = list_teams(db=db, actor=actor)
    elif actor.role is Role.LEAD:
        mine = set(team_ids_of(db=db, agent=actor))
        teams = [t for t in list_teams(db=db, actor=actor) if t.id in mine]
    found = dashboard.build(db, scope)
    export_query = {
        k: v
        for k, v in query.items()
        if k in ("period", "since", "until", "team_id", "channel", "type") and v
    }
    if query.get("period", "week") != "custom":
        export_query.update(
            period="custom", since=scope.first_day.isoformat(), until=scope.last_day.isoformat()
        )
    return render(
        request,
        "insight/dashboard.html",
        agent=actor,
        scope=scope,
        query=query,
        picker=query.get("period") or "week",
        teams=teams,
        channels=[c.value for c in Channel],
        board=found,
        errors=errors,
        export_query=export_query,
        weekly_on=weekly.subscribed(db=db, actor=actor),
        status_code=422 if errors else 200,
    )


@router.post("/insight/weekly-summary")
def weekly_summary_form(
    request: Request,
    db: DbSession,
    actor: CurrentAgent,
    csrf: Annotated[str, Form()] = "",
    subscribed: Annotated[str, Form()] = "",  # a checkbox: "on" or absent; anything else is off
) -> RedirectResponse:
    """Opt in or out of the Monday e-mail, then back to the dashboard (post/redirect/get)."""
    check_csrf(request, csrf)
    weekly.set_subscribed(db=db, actor=actor, on=subscribed == "on")
    return RedirectResponse("/insight", status_code=303)


@router.get("/insight/{measure}.csv")
def insight_csv(
    measure: str, request: Request, db: DbSession, actor: CurrentAgent, clock: ClockDep
) -> Response:
    """One measure's table as CSV (UTF-8 with BOM, `;`), grouped as the chart on the page is."""
    query = dict(request.query_params)
    group_by = query.get("group_by") or None
    allowed = ("total", "team", "agent", "channel", "type", "day", "week", "month")
    if group_by is not None and group_by not in allowed:
        raise Invalid(
            "invalid_group",
            "Choose from the list.",
            [FieldError(("query", "group_by"), "Choose from the list.")],
        )
    scope = _scope(request, db, actor, clock, query, group_by)
    found = service.report(db=db, scope=scope, measure=measure)
    return Response(
        export.to_csv(found, language=page_language(request)),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{export.filename(found)}"'},
    )
