"""The coaching card (one small detail per agent) and team trends, read from stored verdicts.

Both are reads, computed when asked: a grouped count over indexed verdict rows of a short window is a
few milliseconds, always reflects re-scored contacts, and needs no job, table or clean-up. A card is
"daily" because the window is the last 14 days up to now; it moves as the agent's contacts are scored.
"""

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from fractions import Fraction
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from attent.agents import Agent, Role, Team, TeamMembership
from attent.agents.service import get_team, require_role, team_ids_of
from attent.coach.engine import load_rules
from attent.coach.models import Result, ScoredVerdict
from attent.coach.scoring import week_of
from attent.core.errors import NotFound
from attent.organisations import Organisation

WINDOW = timedelta(days=14)
TREND_WEEKS = 8
Counts = dict[str, tuple[int, int]]  # behaviour -> (met, missed)


@dataclass(frozen=True)
class CardLine:
    """A line from the agent's own conversations, with where it was said."""

    quote: str
    case_id: uuid.UUID
    at: datetime


@dataclass(frozen=True)
class CoachingCard:
    """The one behaviour with the most room to improve, a miss, a better phrasing, and a line done well."""

    agent_id: uuid.UUID
    since: datetime
    until: datetime
    behaviour: str | None
    met: int
    missed: int
    missed_line: CardLine | None
    good_line: CardLine | None
    better_phrasing: str | None
    contacts: int


def focus(counts: Counts) -> str | None:
    """The behaviour missed most relative to the contacts it applied to; ties go by the rule book's order."""
    best: tuple[Fraction, str] | None = None
    for behaviour in load_rules().behaviours:
        met, missed = counts.get(behaviour, (0, 0))
        if missed == 0:
            continue
        share = Fraction(missed, met + missed)
        if best is None or share > best[0]:
            best = (share, behaviour)
    return best[1] if best else None


def _counts(
    db: Session, organisation_id: uuid.UUID, agent_ids: list[uuid.UUID], since: datetime
) -> dict[uuid.UUID | None, Counts]:
    rows = db.execute(
        select(ScoredVerdict.agent_id, ScoredVerdict.behaviour, ScoredVerdict.result, func.count())
        .where(
            ScoredVerdict.organisation_id == organisation_id,
            ScoredVerdict.agent_id.in_(agent_ids),
            ScoredVerdict.at >= since,
            ScoredVerdict.result != Result.NA,
        )
        .group_by(ScoredVerdict.agent_id, ScoredVerdict.behaviour, ScoredVerdict.result)
    )
    counts: dict[uuid.UUID | None, Counts] = defaultdict(dict)
    for agent_id, behaviour, result, n in rows:
        met, missed = counts[agent_id].get(behaviour, (0, 0))
        counts[agent_id][behaviour] = (met + n, missed) if result is Result.MET else (met, missed + n)
    return counts


def _line(db: Session, agent: Agent, behaviour: str, result: Result, since: datetime) -> CardLine | None:
    row = db.execute(
        select(ScoredVerdict.quote, ScoredVerdict.case_id, ScoredVerdict.at)
        .where(
            ScoredVerdict.organisation_id == agent.organisation_id,
            ScoredVerdict.agent_id == agent.id,
            ScoredVerdict.behaviour == behaviour,
            ScoredVerdict.result == result,
            ScoredVerdict.quote.is_not(None),
            ScoredVerdict.at >= since,
        )
        .order_by(ScoredVerdict.at.desc(), ScoredVerdict.id.desc())
        .limit(1)
    ).first()
    return CardLine(row[0] or "", row[1], row[2]) if row else None


def coaching_card(*, db: Session, agent: Agent, at: datetime) -> CoachingCard:
    """The agent's card for the last 14 days; without a miss there is no focus, and the card says so."""
    since = at - WINDOW
    counts = _counts(db, agent.organisation_id, [agent.id], since).get(agent.id, {})
    contacts = max((met + missed for met, missed in counts.values()), default=0)
    behaviour = focus(counts)
    if behaviour is None:
        return CoachingCard(agent.id, since, at, None, 0, 0, None, None, None, contacts)
    met, missed = counts[behaviour]
    language = "en" if agent.language == "en" else "nl"
    return CoachingCard(
        agent_id=agent.id,
        since=since,
        until=at,
        behaviour=behaviour,
        met=met,
        missed=missed,
        missed_line=_line(db, agent, behaviour, Result.MISSED, since),
        good_line=_line(db, agent, behaviour, Result.MET, since),
        better_phrasing=load_rules().languages[language].phrasing.get(behaviour),
        contacts=contacts,
    )


@dataclass(frozen=True)
class AgentFocus:
    """One member of a team and the behaviour their card points at."""

    agent_id: uuid.UUID
    name: str
    behaviour: str | None
    met: int
    missed: int


@dataclass(frozen=True)
class TrendCell:
    """One behaviour in one ISO week: how often it was met where it applied."""

    week: str
    met: int
    applicable: int

    @property
    def share(self) -> float | None:
        """Met / applicable, or None when it never applied that week."""
        return self.met / self.applicable if self.applicable else None


@dataclass(frozen=True)
class TeamCoaching:
    """A team's members with their focus behaviour, and per behaviour the share met per week."""

    team: Team
    weeks: list[str]
    agents: list[AgentFocus]
    trends: dict[str, list[TrendCell]] = field(default_factory=dict)


def weeks_until(at: datetime, zone: str, count: int = TREND_WEEKS) -> list[str]:
    """The last `count` ISO weeks up to the one `at` falls in, oldest first."""
    local = at.astimezone(ZoneInfo(zone))
    return [week_of(local - timedelta(weeks=back), zone) for back in range(count - 1, -1, -1)]


def coachable_teams(*, db: Session, actor: Agent) -> list[Team]:
    """The teams whose coaching the actor may see: all for admins, their own for leads."""
    require_role(actor, Role.LEAD)
    query = select(Team).where(Team.organisation_id == actor.organisation_id)
    if actor.role is not Role.ADMIN:
        query = query.where(Team.id.in_(team_ids_of(db=db, agent=actor)))
    return list(db.scalars(query.order_by(Team.name)))


def team_coaching(*, db: Session, actor: Agent, team_id: uuid.UUID, at: datetime) -> TeamCoaching:
    """Leads see their own teams, admins every team; another team is 'not found'."""
    require_role(actor, Role.LEAD)
    team = get_team(db=db, actor=actor, team_id=team_id)
    if actor.role is not Role.ADMIN and team.id not in team_ids_of(db=db, agent=actor):
        raise NotFound.of("team", team_id)
    members = [
        (agent_id, name)
        for agent_id, name in db.execute(
            select(Agent.id, Agent.name)
            .join(
                TeamMembership,
                (TeamMembership.organisation_id == Agent.organisation_id)
                & (TeamMembership.agent_id == Agent.id),
            )
            .where(TeamMembership.organisation_id == team.organisation_id, TeamMembership.team_id == team.id)
            .order_by(Agent.name)
        )
    ]
    ids = [agent_id for agent_id, _ in members]
    counts = _counts(db, team.organisation_id, ids, at - WINDOW)
    agents = []
    for agent_id, name in members:
        behaviour = focus(counts.get(agent_id, {}))
        met, missed = counts.get(agent_id, {}).get(behaviour or "", (0, 0))
        agents.append(AgentFocus(agent_id, name, behaviour, met, missed))
    org = db.get(Organisation, team.organisation_id)
    assert org is not None
    weeks = weeks_until(at, org.timezone)
    cells: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for behaviour, week, result, n in db.execute(
        select(ScoredVerdict.behaviour, ScoredVerdict.week, ScoredVerdict.result, func.count())
        .where(
            ScoredVerdict.organisation_id == team.organisation_id,
            ScoredVerdict.week.in_(weeks),
            ScoredVerdict.agent_id.in_(ids),
            ScoredVerdict.result != Result.NA,
        )
        .group_by(ScoredVerdict.behaviour, ScoredVerdict.week, ScoredVerdict.result)
    ):
        cell = cells[(behaviour, week)]
        cell[0] += n if result is Result.MET else 0
        cell[1] += n
    trends = {
        behaviour: [TrendCell(week, *cells.get((behaviour, week), [0, 0])) for week in weeks]
        for behaviour in load_rules().behaviours
    }
    return TeamCoaching(team, weeks, agents, trends)
