"""Who asks about which stretch of time: the period in the organisation's local days, the filters, and
what the asker may see (admins the organisation, leads their teams, agents only their own figures).

Every measure is computed for a `Scope`; its `previous()` is the stretch of the same length just before,
for the trend. Bad input (a reversed or over-long period, a team of another organisation, another
agent's figures asked for by an agent) is refused here, naming the field, before any query runs.
"""

import uuid
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from attent.agents import Agent, Role, Team
from attent.agents.service import team_ids_of
from attent.contacts import Channel
from attent.core.errors import FieldError, Forbidden, Invalid, NotFound
from attent.core.labels import N_
from attent.organisations import Organisation

GroupBy = Literal["total", "team", "agent", "channel", "type", "day", "week", "month"]
PERIODS = ("day", "week", "month")
MAX_DAYS = 400  # a year and a bit: a year against the year before is two requests
DEFAULT_DAYS = 28
LONG = N_("A period spans at most {days} days.")
REVERSED = N_("The period ends before it starts.")


@dataclass(frozen=True)
class Scope:
    """One question: the organisation, the local days [first_day, last_day], filters, grouping, now."""

    organisation_id: uuid.UUID
    zone: ZoneInfo
    first_day: date
    last_day: date
    group_by: GroupBy
    now: datetime
    team_ids: tuple[uuid.UUID, ...] | None  # None: every team (and cases without one)
    agent_id: uuid.UUID | None
    channel: Channel | None
    type: str | None
    own_only: bool  # an agent asking: their own figures, never anyone else's
    window_days: int = 7
    reply_target: timedelta = timedelta(hours=8)
    rolled_through: date | None = None  # the last day the daily roll-ups answer for (read once a request)

    @property
    def since(self) -> datetime:
        """The first local midnight, in UTC."""
        return _midnight(self.first_day, self.zone)

    @property
    def until(self) -> datetime:
        """The local midnight after the last day, in UTC (the period is half-open)."""
        return _midnight(self.last_day + timedelta(days=1), self.zone)

    @property
    def window(self) -> timedelta:
        """How long after a resolution a contact still counts as 'came back' for first-contact resolution."""
        return timedelta(days=self.window_days)

    def previous(self) -> "Scope":
        """The same number of days just before, for the trend."""
        days = (self.last_day - self.first_day).days + 1
        return replace(
            self,
            first_day=self.first_day - timedelta(days=days),
            last_day=self.first_day - timedelta(days=1),
        )


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(), tzinfo=zone).astimezone(UTC)


def organisation(db: Session, organisation_id: uuid.UUID) -> Organisation:
    """The asker's organisation (always there: the asker belongs to it)."""
    org = db.get(Organisation, organisation_id)
    assert org is not None
    return org


def local_today(*, db: Session, organisation_id: uuid.UUID, now: datetime) -> date:
    """Today in the organisation's zone."""
    return now.astimezone(ZoneInfo(organisation(db, organisation_id).timezone)).date()


def build_scope(
    *,
    db: Session,
    actor: Agent,
    now: datetime,
    since: date | None = None,
    until: date | None = None,
    team_id: uuid.UUID | None = None,
    agent_id: uuid.UUID | None = None,
    channel: Channel | None = None,
    case_type: str | None = None,
    group_by: GroupBy = "total",
    window_days: int = 7,
    reply_target: timedelta = timedelta(hours=8),
) -> Scope:
    """The scope of one request, checked: the period, the team and agent the actor may see."""
    org = organisation(db, actor.organisation_id)
    zone = ZoneInfo(org.timezone)
    today = now.astimezone(zone).date()
    last = until or today
    first = since or last - timedelta(days=DEFAULT_DAYS - 1)
    if last < first:
        raise Invalid("bad_period", REVERSED, [FieldError(("query", "until"), REVERSED)])
    if (last - first).days + 1 > MAX_DAYS:
        raise Invalid(
            "bad_period", LONG, [FieldError(("query", "since"), LONG, {"days": MAX_DAYS})], days=MAX_DAYS
        )
    team_ids = _teams(db, actor, team_id)
    own_only = actor.role is Role.AGENT
    if own_only and agent_id not in (None, actor.id):
        raise Forbidden("own_figures_only", "An agent sees their own figures only.")
    if agent_id is not None and not own_only:
        found = db.get(Agent, (actor.organisation_id, agent_id))
        if found is None:
            raise NotFound.of("agent", agent_id)
    return Scope(
        organisation_id=actor.organisation_id,
        zone=zone,
        first_day=first,
        last_day=last,
        group_by=group_by,
        now=now,
        team_ids=team_ids,
        agent_id=actor.id if own_only else agent_id,
        channel=channel,
        type=case_type,
        own_only=own_only,
        window_days=window_days,
        reply_target=reply_target,
    )


def _teams(db: Session, actor: Agent, team_id: uuid.UUID | None) -> tuple[uuid.UUID, ...] | None:
    """The teams the figures cover: the one asked for, if the actor may see it; else all they may see."""
    if team_id is not None:
        exists = db.scalar(
            select(Team.id).where(Team.organisation_id == actor.organisation_id, Team.id == team_id)
        )
        if exists is None:  # another organisation's team is as unknown as a made-up id
            raise NotFound.of("team", team_id)
    if actor.role is Role.ADMIN:
        return None if team_id is None else (team_id,)
    mine = team_ids_of(db=db, agent=actor)
    if actor.role is Role.LEAD and team_id is not None and team_id not in mine:
        raise Forbidden("not_your_team", "A lead sees the figures of their own teams.")
    if team_id is not None:
        return (team_id,) if team_id in mine else ()
    return None if actor.role is Role.AGENT else tuple(mine)  # an agent's own figures, in any team
