"""Insight: every measure as JSON (`GET /insight/<measure>`) or as CSV (`?format=csv`), and the
organisation's insight rules."""

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response

from attent.agents import CurrentAgent
from attent.contacts import Channel
from attent.core.deps import ClockDep, DbSession
from attent.core.moments import Day
from attent.core.onethread import OneThreadRoute
from attent.insight import export, service, weekly
from attent.insight.schemas import InsightSettings, Report, WeeklySummary
from attent.insight.scope import GroupBy

router = APIRouter(prefix="/insight", tags=["insight"], route_class=OneThreadRoute)
Measure = Literal["fcr", "repeats", "reopens", "promises", "backlog", "first-reply", "surveys", "durations"]


@router.get("/settings")
def get_settings(db: DbSession, actor: CurrentAgent) -> InsightSettings:
    """The insight rules: the first-contact-resolution window and the first-reply target."""
    return service.get_settings(db=db, organisation_id=actor.organisation_id)


@router.put("/settings")
def put_settings(body: InsightSettings, db: DbSession, actor: CurrentAgent) -> InsightSettings:
    """Change the insight rules (admins)."""
    return service.put_settings(db=db, actor=actor, data=body)


@router.get("/weekly-summary")
def get_weekly_summary(db: DbSession, actor: CurrentAgent) -> WeeklySummary:
    """Whether you get the weekly summary e-mail (Monday 07:00: four figures, three cases worth a look)."""
    return WeeklySummary(subscribed=weekly.subscribed(db=db, actor=actor))


@router.put("/weekly-summary")
def put_weekly_summary(body: WeeklySummary, db: DbSession, actor: CurrentAgent) -> WeeklySummary:
    """Opt in or out of the weekly summary e-mail (leads and admins)."""
    return WeeklySummary(subscribed=weekly.set_subscribed(db=db, actor=actor, on=body.subscribed))


@router.get("/{measure}", response_model=Report)
def measure(
    measure: Measure,
    db: DbSession,
    actor: CurrentAgent,
    clock: ClockDep,
    since: Day | None = None,
    until: Day | None = None,
    team_id: uuid.UUID | None = None,
    agent_id: uuid.UUID | None = None,
    channel: Channel | None = None,
    type: Annotated[str | None, Query(max_length=60)] = None,
    group_by: GroupBy = "total",
    format: Literal["json", "csv"] = "json",
) -> Report | Response:
    """One measure for local days `since`..`until` (inclusive; default the last 28 days), grouped as
    asked, with the previous period's total. Leads see their teams, agents their own figures only."""
    scope = service.scope_for(
        db=db,
        actor=actor,
        now=clock.now(),
        since=since,
        until=until,
        team_id=team_id,
        agent_id=agent_id,
        channel=channel,
        case_type=type,
        group_by=group_by,
    )
    found = service.report(db=db, scope=scope, measure=measure)
    if format == "csv":
        return Response(
            export.to_csv(found, language=actor.language),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{export.filename(found)}"'},
        )
    return found
