"""Setting business hours: the organisation's (admins) and a team's own (its leads, and admins).

The hours themselves, and counting time in them, are `organisations.hours`; this module checks who may
change them, validates, and stores them in `organisations.settings["business_hours"]` (read whole, so
the mail's answer time and everything else that counts in business hours sees the change at once).
"""

import uuid
from datetime import date, time, timedelta
from typing import Any, Literal

from pydantic import Field, model_validator
from sqlalchemy.orm import Session

from attent.agents import Agent, Role
from attent.agents.service import get_team, require_role, team_ids_of
from attent.core.errors import FieldError, Forbidden, Invalid
from attent.core.schemas import Input, Output
from attent.organisations import OpeningHours
from attent.organisations.service import get_organisation, opening_hours, public_holiday

KEY = "business_hours"
MAX_CLOSED_DAYS = 366
UPCOMING = 12  # closed days (holidays and the organisation's own) the settings show ahead


class DayHours(Input):
    """Opening hours of one weekday: opens before it closes, the same day."""

    opens: time
    closes: time

    @model_validator(mode="after")
    def _in_order(self) -> "DayHours":
        if self.closes <= self.opens:
            raise ValueError("A day closes later than it opens.")
        return self


class BusinessHoursIn(Input):
    """The organisation's business hours: seven weekdays (Monday first; null: closed), public holidays,
    and days it is closed besides."""

    week: list[DayHours | None] = Field(min_length=7, max_length=7)
    public_holidays: Literal["NL"] | None = Field(
        default="NL", description="Close on this country's holidays."
    )
    closed_days: list[date] = Field(default_factory=list, max_length=MAX_CLOSED_DAYS)
    open_days: list[date] = Field(
        default_factory=list, max_length=MAX_CLOSED_DAYS, description="Public holidays worked anyway."
    )


class TeamHoursIn(Input):
    """A team's own hours: its week (null: the organisation's) and closed days besides the organisation's."""

    week: list[DayHours | None] | None = Field(default=None, min_length=7, max_length=7)
    closed_days: list[date] = Field(default_factory=list, max_length=MAX_CLOSED_DAYS)


class ClosedDay(Output):
    """A day the organisation (or team) is closed: a public holiday (with its name) or its own closed day."""

    day: date
    kind: Literal["public_holiday", "closed"]
    name: str | None = Field(default=None, description="The holiday's name, in the reader's language.")


class BusinessHoursRead(Output):
    """Business hours as they count now, with the closed days coming up."""

    team_id: uuid.UUID | None = None
    own: bool = Field(default=True, description="A team: whether it has hours of its own.")
    week: list[DayHours | None]
    public_holidays: str | None
    closed_days: list[date]
    open_days: list[date] = []
    upcoming: list[ClosedDay]


def _week_in(week: list[DayHours | None]) -> list[list[str] | None]:
    return [None if d is None else [d.opens.strftime("%H:%M"), d.closes.strftime("%H:%M")] for d in week]


def _dated(days: list[date]) -> list[str]:
    return [d.isoformat() for d in sorted(set(days))]


def upcoming_closed(hours: OpeningHours, *, today: date, language: str) -> list[ClosedDay]:
    """The next public holidays and closed days (weekends are no news), within a year."""
    found: list[ClosedDay] = []
    for offset in range(366):
        day = today + timedelta(days=offset)
        name = None if day in hours.open_days else public_holiday(hours.public_holidays, day, language)
        if name is not None:
            found.append(ClosedDay(day=day, kind="public_holiday", name=name))
        elif day in hours.closed_days:
            found.append(ClosedDay(day=day, kind="closed"))
        if len(found) == UPCOMING:
            break
    return found


def read_hours(
    *, db: Session, actor: Agent, today: date, language: str, team_id: uuid.UUID | None = None
) -> BusinessHoursRead:
    """The organisation's business hours (any agent may read them), or a team's as they count."""
    org = get_organisation(db=db, organisation_id=actor.organisation_id)
    if team_id is not None:
        get_team(db=db, actor=actor, team_id=team_id)
    hours = opening_hours(org.settings, org.timezone, team_id)
    stored: dict[str, Any] = org.settings.get(KEY) or {}
    team = (stored.get("teams") or {}).get(str(team_id)) if team_id is not None else None
    return BusinessHoursRead(
        team_id=team_id,
        own=team_id is None or bool(team),
        week=[None if d is None else DayHours(opens=d[0], closes=d[1]) for d in hours.week],
        public_holidays=hours.public_holidays,
        closed_days=sorted(hours.closed_days),
        open_days=sorted(hours.open_days),
        upcoming=upcoming_closed(hours, today=today, language=language),
    )


def set_hours(*, db: Session, actor: Agent, data: BusinessHoursIn) -> None:
    """Set the organisation's business hours (admins); teams' own hours stay."""
    require_role(actor)
    org = get_organisation(db=db, organisation_id=actor.organisation_id)
    stored = dict(org.settings.get(KEY) or {})
    stored |= {
        "week": _week_in(data.week),
        "public_holidays": data.public_holidays,
        "closed_days": _dated(data.closed_days),
        "open_days": _dated(data.open_days),
    }
    org.settings = {**org.settings, KEY: stored}  # a new dict: the JSON column sees the change
    db.flush()


def set_team_hours(*, db: Session, actor: Agent, team_id: uuid.UUID, data: TeamHoursIn | None) -> None:
    """Give a team hours of its own, or (None) let it follow the organisation's: its leads and admins."""
    require_role(actor, Role.LEAD)
    team = get_team(db=db, actor=actor, team_id=team_id)
    if actor.role is not Role.ADMIN and team.id not in team_ids_of(db=db, agent=actor):
        raise Forbidden("not_in_team", "Only the team's own leads can change its business hours.")
    if data is not None and data.week is None and not data.closed_days:
        raise Invalid(
            "team_hours_empty",
            "Give the team a week of its own or closed days, or remove its own hours.",
            [FieldError(("week",), "Required.")],
        )
    org = get_organisation(db=db, organisation_id=actor.organisation_id)
    stored = dict(org.settings.get(KEY) or {})
    teams = dict(stored.get("teams") or {})
    if data is None:
        teams.pop(str(team.id), None)
    else:
        own: dict[str, Any] = {"closed_days": _dated(data.closed_days)}
        if data.week is not None:
            own["week"] = _week_in(data.week)
        teams[str(team.id)] = own
    stored["teams"] = teams
    org.settings = {**org.settings, KEY: stored}
    db.flush()
