"""Automatic assignment: a team may hand its new cases (and those its offline agents leave behind) to an
available agent, the one with the fewest open cases or each in turn.

An agent is available when their presence is available, they are active, and their shift (if they
said when it ends) does not end within the team's margin. With nobody available the case stays with
the team, unowned, as it would without automatic assignment: it is in every member's My work.
"""

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from attent.agents import Agent, Presence, Role, TeamMembership
from attent.agents.service import get_team, require_role, team_ids_of
from attent.cases.kinds import CaseAutoAssigned
from attent.cases.models import AssignmentMode, Case, CaseStatus, TeamAssignment
from attent.core.errors import FieldError, Forbidden, Invalid
from attent.timeline.service import record_case_event

DONE = (CaseStatus.RESOLVED, CaseStatus.CLOSED)
MAX_MARGIN = 12 * 60


def assignment_of(*, db: Session, organisation_id: uuid.UUID, team_id: uuid.UUID) -> TeamAssignment:
    """The team's setting (a team that never set one: off, 30 minutes' margin), not added to the session."""
    found = db.get(TeamAssignment, (organisation_id, team_id))
    if found is not None:
        return found
    return TeamAssignment(
        organisation_id=organisation_id, team_id=team_id, mode=AssignmentMode.OFF, shift_margin_minutes=30
    )


def set_assignment(
    *,
    db: Session,
    actor: Agent,
    team_id: uuid.UUID,
    mode: AssignmentMode,
    shift_margin_minutes: int,
    at: datetime,
) -> TeamAssignment:
    """Switch a team's automatic assignment on (and how) or off: its leads and admins."""
    require_role(actor, Role.LEAD)
    team = get_team(db=db, actor=actor, team_id=team_id)
    if actor.role is not Role.ADMIN and team.id not in team_ids_of(db=db, agent=actor):
        raise Forbidden("not_in_team", "Only the team's own leads can change how it assigns cases.")
    if not 0 <= shift_margin_minutes <= MAX_MARGIN:
        raise Invalid(
            "invalid_assignment_setting",
            "The margin is between 0 and {n} minutes.",
            [
                FieldError(
                    ("shift_margin_minutes",), "The margin is between 0 and {n} minutes.", {"n": MAX_MARGIN}
                )
            ],
            n=MAX_MARGIN,
        )
    setting = db.get(TeamAssignment, (actor.organisation_id, team.id))
    if setting is None:
        setting = TeamAssignment(organisation_id=actor.organisation_id, team_id=team.id, updated_at=at)
        db.add(setting)
    setting.mode, setting.shift_margin_minutes, setting.updated_at = mode, shift_margin_minutes, at
    db.flush()
    return setting


def available_agents(
    *, db: Session, setting: TeamAssignment, now: datetime, exclude: Sequence[uuid.UUID] = ()
) -> list[tuple[Agent, int]]:
    """The team's agents who can take a case now, each with their open cases, fewest first (ties: by id)."""
    margin = now + timedelta(minutes=setting.shift_margin_minutes)
    load = (
        select(func.count(Case.id))
        .where(
            # the organisation as a constant: a correlated subquery must route on its own (Citus)
            Case.organisation_id == setting.organisation_id,
            Case.owner_id == Agent.id,
            Case.status.not_in(DONE),
        )
        .scalar_subquery()
    )
    rows = db.execute(
        select(Agent, load)
        .join(
            TeamMembership,
            (TeamMembership.organisation_id == Agent.organisation_id) & (TeamMembership.agent_id == Agent.id),
        )
        .where(
            TeamMembership.organisation_id == setting.organisation_id,
            TeamMembership.team_id == setting.team_id,
            Agent.active.is_(True),
            Agent.presence == Presence.AVAILABLE,
            or_(Agent.available_until.is_(None), Agent.available_until > margin),
            Agent.id.not_in(list(exclude)) if exclude else Agent.id.is_not(None),
        )
        .order_by(load, Agent.id)
    )
    return [(agent, int(n)) for agent, n in rows]


def _pick(db: Session, setting: TeamAssignment, now: datetime, exclude: Sequence[uuid.UUID]) -> Agent | None:
    candidates = available_agents(db=db, setting=setting, now=now, exclude=exclude)
    if not candidates:
        return None
    if setting.mode is AssignmentMode.FEWEST_OPEN:
        return candidates[0][0]
    in_turn = sorted((agent for agent, _ in candidates), key=lambda a: a.id)
    after = [a for a in in_turn if setting.last_agent_id is not None and a.id > setting.last_agent_id]
    return (after or in_turn)[0]


def assign_automatically(
    *, db: Session, case: Case, at: datetime, exclude: Sequence[uuid.UUID] = ()
) -> Agent | None:
    """Give an unowned open case of a team that assigns automatically to an available agent, on the
    timeline; None (and the case unchanged) when the team does not, or nobody is available."""
    if case.team_id is None or case.status in DONE:
        return None
    setting = db.get(TeamAssignment, (case.organisation_id, case.team_id), with_for_update=True)
    if setting is None or setting.mode is AssignmentMode.OFF:
        return None
    agent = _pick(db, setting, at, exclude)
    if agent is None:
        return None
    before = case.owner_id
    case.owner_id, case.updated_at = agent.id, at
    setting.last_agent_id = agent.id
    event = CaseAutoAssigned(to=str(agent.id), mode=setting.mode.value, from_=str(before) if before else None)
    record_case_event(db=db, case=case, event=event, at=at, actor=None)
    db.flush()
    return agent


def return_cases_of(*, db: Session, agent: Agent, at: datetime) -> int:
    """An owner went offline: their open cases in teams that assign automatically go to a colleague.

    Away is a short absence (a break, a call-back elsewhere) and keeps the cases; offline hands them on.
    A case nobody can take stays with its owner, in the team's view.
    """
    if agent.presence is not Presence.OFFLINE:
        return 0
    automatic = select(TeamAssignment.team_id).where(
        TeamAssignment.organisation_id == agent.organisation_id, TeamAssignment.mode != AssignmentMode.OFF
    )
    cases = db.scalars(
        select(Case)
        .where(
            Case.organisation_id == agent.organisation_id,
            Case.owner_id == agent.id,
            Case.status.not_in(DONE),
            Case.team_id.in_(automatic),
        )
        .order_by(Case.id)
    )
    return sum(assign_automatically(db=db, case=c, at=at, exclude=[agent.id]) is not None for c in cases)
