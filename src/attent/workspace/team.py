"""The team lead's view: what a lead acts on in the next ten minutes. Read-only, like My work."""

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, or_, select, true
from sqlalchemy.orm import Session, aliased

from attent.agents import Agent, Presence, Role, Team, TeamMembership
from attent.agents.service import list_teams, require_role, team_ids_of
from attent.cases import Case
from attent.customers import Customer
from attent.promises import Promise, PromiseKind, PromiseState
from attent.workspace.service import DONE, RECENTLY_BROKEN, case_customer

CALLBACK_WINDOW = timedelta(minutes=30)  # call-backs a lead should see coming
PRESENCE_ORDER = {Presence.AVAILABLE: 0, Presence.AWAY: 1, Presence.OFFLINE: 2}


@dataclass(frozen=True)
class PromiseLine:
    """A promise with what a lead needs beside it: the case, the customer, the owner, and since when."""

    promise: Promise
    case_subject: str
    customer_name: str
    owner_name: str | None
    broken: bool = False
    since: datetime | None = None


@dataclass(frozen=True)
class WaitingCase:
    """An open case whose customer waits for an answer."""

    case: Case
    customer_name: str
    owner_name: str | None
    waiting_since: datetime


@dataclass(frozen=True)
class TeamOverview:
    """What a lead acts on in the next ten minutes."""

    teams: list[Team]
    troubled: list[PromiseLine]
    callbacks: list[PromiseLine]
    waiting: list[WaitingCase]
    members: list[Agent]
    open_promises: dict[uuid.UUID, int] = field(default_factory=dict)


def _in_scope(actor: Agent, team_column: Any, team_ids: list[uuid.UUID]) -> ColumnElement[bool]:
    """Leads look at their teams; admins at the whole organisation (rows without a team included)."""
    condition: ColumnElement[bool] = team_column.in_(team_ids) if actor.role is not Role.ADMIN else true()
    return condition


def _promise_lines(query: Select[Any]) -> Select[Any]:
    owner = aliased(Agent)
    return (
        query.add_columns(Case.subject, Customer.name, owner.name)
        .join(Case, and_(Case.organisation_id == Promise.organisation_id, Case.id == Promise.case_id))
        .join(
            Customer,
            and_(Customer.organisation_id == Promise.organisation_id, Customer.id == Promise.customer_id),
        )
        .outerjoin(
            owner, and_(owner.organisation_id == Promise.organisation_id, owner.id == Promise.owner_id)
        )
    )


def team_overview(*, db: Session, actor: Agent, now: datetime, limit: int = 50) -> TeamOverview:
    """Promises at risk or broken, call-backs due soon, longest-waiting cases, and who is available.

    Leads see their own teams; admins see every team of the organisation.
    """
    require_role(actor, Role.LEAD)
    org = actor.organisation_id
    teams = list_teams(db=db, actor=actor)
    if actor.role is not Role.ADMIN:
        mine = set(team_ids_of(db=db, agent=actor))
        teams = [t for t in teams if t.id in mine]
    team_ids = [t.id for t in teams]
    in_teams = _in_scope(actor, Promise.team_id, team_ids)
    is_open, live = Promise.state == PromiseState.OPEN, Promise.grace_until > now
    troubled_rows = db.execute(
        _promise_lines(select(Promise))
        .where(
            Promise.organisation_id == org,
            in_teams,
            or_(
                and_(is_open, Promise.at_risk_at <= now),
                and_(Promise.state == PromiseState.BROKEN, Promise.closed_at >= now - RECENTLY_BROKEN),
            ),
        )
        .order_by(Promise.due_by, Promise.id)
        .limit(limit)
    ).all()
    troubled = []
    for promise, subject, customer, owner in troubled_rows:
        broken = promise.state is PromiseState.BROKEN or promise.grace_until <= now
        since = promise.grace_until if broken else promise.at_risk_at
        troubled.append(PromiseLine(promise, subject, customer, owner, broken=broken, since=since))
    callbacks = [
        PromiseLine(promise, subject, customer, owner)
        for promise, subject, customer, owner in db.execute(
            _promise_lines(select(Promise))
            .where(
                Promise.organisation_id == org,
                in_teams,
                is_open,
                live,
                Promise.kind == PromiseKind.CALLBACK,
                Promise.due_by <= now + CALLBACK_WINDOW,
            )
            .order_by(Promise.due_by, Promise.id)
            .limit(limit)
        )
    ]
    return TeamOverview(
        teams=teams,
        troubled=troubled,
        callbacks=callbacks,
        waiting=_waiting_cases(db=db, actor=actor, team_ids=team_ids),
        members=_members(db=db, actor=actor, team_ids=team_ids),
        open_promises=_open_promises_per_owner(db=db, organisation_id=org),
    )


def _waiting_cases(
    *, db: Session, actor: Agent, team_ids: list[uuid.UUID], limit: int = 10
) -> list[WaitingCase]:
    """The open cases whose customers have waited longest for an answer.

    The waiting time is the case row's `waiting_since`, kept by the contacts service as it writes.
    """
    waiting = Case.waiting_since.label("waiting_since")
    scope = _in_scope(actor, Case.team_id, team_ids)
    ranked = (
        select(Case.id, waiting)
        .where(Case.organisation_id == actor.organisation_id, scope, Case.status.not_in(DONE))
        .subquery()
    )
    owner = aliased(Agent)
    rows = db.execute(
        select(Case, Customer.name, owner.name, ranked.c.waiting_since)
        .join(ranked, and_(Case.organisation_id == actor.organisation_id, Case.id == ranked.c.id))
        .join(Customer, case_customer())
        .outerjoin(owner, and_(owner.organisation_id == Case.organisation_id, owner.id == Case.owner_id))
        .where(ranked.c.waiting_since.is_not(None))
        .order_by(ranked.c.waiting_since, Case.id)
        .limit(limit)
    ).all()
    return [WaitingCase(case, customer, owner_name, since) for case, customer, owner_name, since in rows]


def _members(*, db: Session, actor: Agent, team_ids: list[uuid.UUID]) -> list[Agent]:
    """The active agents of these teams (admins: of the organisation), available first."""
    query = select(Agent).where(Agent.organisation_id == actor.organisation_id, Agent.active.is_(True))
    if actor.role is not Role.ADMIN:
        members = select(TeamMembership.agent_id).where(
            TeamMembership.organisation_id == actor.organisation_id, TeamMembership.team_id.in_(team_ids)
        )
        query = query.where(Agent.id.in_(members))
    return sorted(db.scalars(query), key=lambda a: (PRESENCE_ORDER[a.presence], a.name))


def _open_promises_per_owner(*, db: Session, organisation_id: uuid.UUID) -> dict[uuid.UUID, int]:
    """Owner id -> open promises, so a lead sees who has room for one more."""
    rows = db.execute(
        select(Promise.owner_id, func.count())
        .where(
            Promise.organisation_id == organisation_id,
            Promise.state == PromiseState.OPEN,
            Promise.owner_id.is_not(None),
        )
        .group_by(Promise.owner_id)
    )
    return {owner_id: count for owner_id, count in rows if owner_id is not None}
