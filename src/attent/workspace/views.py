"""Saved views of the case queue: an agent's own, and those shared with their teams (side menu)."""

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from attent.agents import Agent, Role
from attent.agents.service import get_team, list_teams, require_role, team_ids_of
from attent.core.errors import Conflict, FieldError, Forbidden, Invalid, NotFound
from attent.workspace.models import SavedView
from attent.workspace.queue import QueueFilters, counts, parse_queue

VIEW_NAME_MAX = 80
MAX_VIEWS = 50  # per agent, and per team: a side menu, not a filing cabinet


@dataclass(frozen=True)
class MenuView:
    """A saved view as the side menu shows it: its name, whose it is, the cases in it now."""

    view: SavedView
    filters: QueueFilters
    count: int
    team_name: str | None


def view_filters(view: SavedView) -> QueueFilters:
    """The queue filters a saved view stands for (parameters it no longer understands are dropped)."""
    stored = {k: v if isinstance(v, list) else [str(v)] for k, v in (view.filters or {}).items()}
    try:
        return parse_queue({k: [str(x) for x in v] for k, v in stored.items()})
    except Invalid:
        return QueueFilters()


def _teams(db: Session, actor: Agent) -> list[uuid.UUID]:
    """The teams whose shared views the actor sees: their own; an admin's, every team."""
    if actor.role is Role.ADMIN:
        return [t.id for t in list_teams(db=db, actor=actor)]
    return team_ids_of(db=db, agent=actor)


def visible_views(*, db: Session, actor: Agent) -> list[SavedView]:
    """The actor's own views, then their teams' shared views, each by name."""
    teams = _teams(db, actor)
    mine_or_teams = or_(SavedView.agent_id == actor.id, SavedView.team_id.in_(teams))
    rows = db.scalars(
        select(SavedView)
        .where(SavedView.organisation_id == actor.organisation_id, mine_or_teams)
        .order_by(SavedView.team_id.is_not(None), SavedView.name, SavedView.id)
    )
    return list(rows)


def menu(
    *, db: Session, actor: Agent, team_names: dict[uuid.UUID, str], now: datetime, tz: str
) -> list[MenuView]:
    """The side menu: every view the actor sees with its count, the counts in one query."""
    views = visible_views(db=db, actor=actor)
    filters = [view_filters(v) for v in views]
    found = counts(db, actor, filters, now=now, tz=tz)
    return [
        MenuView(v, f, n, team_names.get(v.team_id) if v.team_id else None)
        for v, f, n in zip(views, filters, found, strict=True)
    ]


def get_view(*, db: Session, actor: Agent, view_id: uuid.UUID) -> SavedView:
    """A view the actor sees (their own or one of their teams'); others' are 'not found'."""
    view = db.get(SavedView, (actor.organisation_id, view_id))
    if view is None or not (
        view.agent_id == actor.id or (view.team_id is not None and view.team_id in _teams(db, actor))
    ):
        raise NotFound.of("view", view_id)
    return view


def save_view(
    *,
    db: Session,
    actor: Agent,
    name: str,
    filters: QueueFilters,
    team_id: uuid.UUID | None,
    at: datetime,
) -> SavedView:
    """Save the queue's filters under a name: for the actor, or (leads and admins) shared with a team."""
    clean = " ".join(name.split())
    if not clean or len(clean) > VIEW_NAME_MAX:
        raise Invalid(
            "invalid_view",
            "A view needs a name of at most {n} characters.",
            [FieldError(("name",), "A view needs a name of at most {n} characters.", {"n": VIEW_NAME_MAX})],
            n=VIEW_NAME_MAX,
        )
    owner = SavedView.team_id == team_id if team_id is not None else SavedView.agent_id == actor.id
    if team_id is not None:
        require_role(actor, Role.LEAD)
        team = get_team(db=db, actor=actor, team_id=team_id)
        if actor.role is not Role.ADMIN and team.id not in team_ids_of(db=db, agent=actor):
            raise Forbidden("not_in_team", "You can share a view only with a team you are in.")
    existing = list(
        db.scalars(select(SavedView).where(SavedView.organisation_id == actor.organisation_id, owner))
    )
    if any(v.name.lower() == clean.lower() for v in existing):
        raise Conflict("view_exists", "A view named “{name}” already exists.", name=clean)
    if len(existing) >= MAX_VIEWS:
        raise Conflict("too_many_views", "At most {n} views; delete one first.", n=MAX_VIEWS)
    view = SavedView(
        organisation_id=actor.organisation_id,
        name=clean,
        agent_id=None if team_id is not None else actor.id,
        team_id=team_id,
        filters=filters.params(),
        created_by=actor.id,
        created_at=at,
    )
    db.add(view)
    db.flush()
    return view


def delete_view(*, db: Session, actor: Agent, view_id: uuid.UUID) -> None:
    """Delete a view: one's own, or (leads and admins) a team's."""
    view = get_view(db=db, actor=actor, view_id=view_id)
    if view.team_id is not None:
        require_role(actor, Role.LEAD)
    db.delete(view)
    db.flush()
