"""My work: the agent's own cases and promises, soonest promise first, then the longest-waiting customer.

Read-only: these queries decide the order in which people see work, never the work itself.
"""

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy import case as when
from sqlalchemy.orm import Session

from attent.agents import Agent, TeamMembership
from attent.agents.service import list_teams
from attent.cases import Case, CaseStatus
from attent.cases.service import visible_to
from attent.contacts.service import waiting_since as waiting_since  # the definition
from attent.customers import Customer
from attent.promises import Promise, PromiseState

DONE = (CaseStatus.RESOLVED, CaseStatus.CLOSED)
SOON = timedelta(hours=1)  # "due within the hour" on My work
RECENTLY_BROKEN = timedelta(hours=24)  # broken promises stay on the boards this long


@dataclass(frozen=True)
class WorkFilters:
    """The narrowing an agent chose on My work; None means 'any'."""

    team_id: uuid.UUID | None = None
    status: CaseStatus | None = None
    type: str | None = None


@dataclass(frozen=True)
class WorkItem:
    """One row of My work: a case, the promises on it that are mine to keep, how long the customer waits."""

    case: Case
    customer_name: str
    promises: list[Promise]
    waiting_since: datetime | None


@dataclass(frozen=True)
class MyWork:
    """My work's rows with the names they mention (agents and teams), looked up once."""

    items: list[WorkItem]
    agent_names: dict[uuid.UUID, str]
    team_names: dict[uuid.UUID, str]
    types: list[str]


@dataclass(frozen=True)
class WorkCounts:
    """The four numbers at the top of My work."""

    open_cases: int
    due_within_hour: int
    at_risk: int
    broken: int


def case_customer() -> ColumnElement[bool]:
    """The join from a case to its customer."""
    return and_(Customer.organisation_id == Case.organisation_id, Customer.id == Case.customer_id)


def _my_team_ids(actor: Agent) -> Select[uuid.UUID]:
    return select(TeamMembership.team_id).where(
        TeamMembership.organisation_id == actor.organisation_id, TeamMembership.agent_id == actor.id
    )


def _promises_for(actor: Agent) -> ColumnElement[bool]:
    """Promises I answer for: my own, and those my teams must pick up (offered to them, or nobody's).

    A promise of no team and no owner is everyone's: it exists only while the organisation has no team
    (after that a case without a team goes to the default team, and its promises with it).
    """
    return and_(
        Promise.organisation_id == actor.organisation_id,
        or_(
            Promise.owner_id == actor.id,
            and_(
                Promise.team_id.in_(_my_team_ids(actor)),
                or_(Promise.offered_at.is_not(None), Promise.owner_id.is_(None)),
            ),
            and_(Promise.team_id.is_(None), Promise.owner_id.is_(None)),
        ),
    )


def _cases_for(actor: Agent) -> ColumnElement[bool]:
    """Open cases I answer for: my own, my teams' cases that nobody owns yet, and nobody's cases of no
    team (only while the organisation has no team: every case lands in someone's My work)."""
    unowned = and_(
        Case.owner_id.is_(None), or_(Case.team_id.in_(_my_team_ids(actor)), Case.team_id.is_(None))
    )
    return and_(Case.status.not_in(DONE), or_(Case.owner_id == actor.id, unowned))


def my_work(*, db: Session, actor: Agent, filters: WorkFilters = WorkFilters(), limit: int = 200) -> MyWork:
    """My open cases and the promises I answer for, soonest due first, then longest-waiting customer first.

    Cases without a promise follow those with one; among equals the case untouched longest comes first.
    A case shows up for a promise of mine even when the case itself is resolved or someone else's.
    """
    open_promise = and_(_promises_for(actor), Promise.state == PromiseState.OPEN)
    due = select(func.min(Promise.due_by)).where(open_promise, Promise.case_id == Case.id).scalar_subquery()
    wanted = or_(_cases_for(actor), Case.id.in_(select(Promise.case_id).where(open_promise)))
    candidates = visible_to(select(Case.id), actor).where(wanted)
    types = sorted(db.scalars(candidates.with_only_columns(Case.type).distinct()))
    if filters.team_id is not None:
        candidates = candidates.where(Case.team_id == filters.team_id)
    if filters.status is not None:
        candidates = candidates.where(Case.status == filters.status)
    if filters.type is not None:
        candidates = candidates.where(Case.type == filters.type)
    ranked = candidates.add_columns(due.label("due_by"), Case.waiting_since.label("waiting_since")).subquery()
    rows = db.execute(
        select(Case, Customer.name, ranked.c.waiting_since)
        .join(ranked, and_(Case.organisation_id == actor.organisation_id, Case.id == ranked.c.id))
        .join(Customer, case_customer())
        .order_by(
            ranked.c.due_by.asc().nulls_last(),
            ranked.c.waiting_since.asc().nulls_last(),
            Case.updated_at,
            Case.id,
        )
        .limit(limit)
    ).all()
    by_case: dict[uuid.UUID, list[Promise]] = {case.id: [] for case, _, _ in rows}
    if by_case:
        for promise in db.scalars(
            select(Promise)
            .where(open_promise, Promise.case_id.in_(list(by_case)))
            .order_by(Promise.due_by, Promise.id)
        ):
            by_case[promise.case_id].append(promise)
    items = [WorkItem(case, name, by_case[case.id], waiting) for case, name, waiting in rows]
    owners = {i.case.owner_id for i in items} | {p.owner_id for i in items for p in i.promises}
    return MyWork(
        items=items,
        agent_names=agent_names(db=db, organisation_id=actor.organisation_id, agent_ids=owners),
        team_names={t.id: t.name for t in list_teams(db=db, actor=actor)},
        types=types,
    )


def agent_names(
    *, db: Session, organisation_id: uuid.UUID, agent_ids: set[uuid.UUID | None]
) -> dict[uuid.UUID, str]:
    """Agent id -> name for the given ids, in one query."""
    ids = [i for i in agent_ids if i is not None]
    if not ids:
        return {}
    rows = db.execute(
        select(Agent.id, Agent.name).where(Agent.organisation_id == organisation_id, Agent.id.in_(ids))
    )
    return {agent_id: name for agent_id, name in rows}


def _count(condition: ColumnElement[bool]) -> Any:
    return func.coalesce(func.sum(when((condition, 1), else_=0)), 0)


def work_counts(*, db: Session, actor: Agent, now: datetime) -> WorkCounts:
    """Open cases, promises due within the hour, at risk, and broken in the last day; two queries.

    At risk and broken are read from the clock as well as from the worker's flags, so the numbers are
    right even while the worker is catching up.
    """
    is_open = Promise.state == PromiseState.OPEN
    live = Promise.grace_until > now
    broken_lately = and_(Promise.state == PromiseState.BROKEN, Promise.closed_at >= now - RECENTLY_BROKEN)
    due, risk, broken = db.execute(
        select(
            _count(and_(is_open, live, Promise.due_by <= now + SOON)),
            _count(and_(is_open, live, Promise.at_risk_at <= now)),
            _count(or_(and_(is_open, ~live), broken_lately)),
        ).where(
            _promises_for(actor),
            or_(is_open, broken_lately),
            Promise.case_id.in_(visible_to(select(Case.id), actor)),
        )
    ).one()
    cases = db.scalar(visible_to(select(func.count(Case.id)), actor).where(_cases_for(actor))) or 0
    return WorkCounts(open_cases=cases, due_within_hour=due, at_risk=risk, broken=broken)
