"""Writing notifications in bulk (from the worker) and reading an agent's inbox."""

import uuid
from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from attent.agents import Agent, Role, TeamMembership
from attent.core.db import insert_many, repoint
from attent.core.errors import NotFound
from attent.core.ids import uuid7
from attent.core.pagination import page
from attent.notifications.models import Notification


def leads_by_team(
    *, db: Session, team_ids: set[uuid.UUID]
) -> dict[uuid.UUID, list[tuple[uuid.UUID, uuid.UUID]]]:
    """Team id -> (organisation id, lead id) for every active lead of those teams, in one query."""
    rows = db.execute(
        select(TeamMembership.team_id, Agent.organisation_id, Agent.id)
        .join(
            Agent,
            (Agent.organisation_id == TeamMembership.organisation_id) & (Agent.id == TeamMembership.agent_id),
        )
        .where(TeamMembership.team_id.in_(team_ids), Agent.role == Role.LEAD, Agent.active.is_(True))
    )
    leads: dict[uuid.UUID, list[tuple[uuid.UUID, uuid.UUID]]] = defaultdict(list)
    for team_id, organisation_id, agent_id in rows:
        leads[team_id].append((organisation_id, agent_id))
    return leads


def notify_many(*, db: Session, rows: list[dict[str, Any]]) -> None:
    """Insert notification rows built by the caller (organisation, agent, kind, case, data, time)."""
    insert_many(db, Notification, [{"id": uuid7(), "read_at": None, **row} for row in rows])


def inbox(
    *, db: Session, actor: Agent, unread_only: bool, cursor: str | None = None, limit: int
) -> tuple[list[Notification], str | None]:
    """One page of the actor's notifications, unread first, newest first, and the next page's cursor."""
    query = select(Notification).where(
        Notification.organisation_id == actor.organisation_id, Notification.agent_id == actor.id
    )
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    return page(db, query, (Notification.read_at.is_not(None), Notification.id.desc()), cursor, limit)


def mark_read(*, db: Session, actor: Agent, notification_id: uuid.UUID, at: datetime) -> Notification:
    """Mark one of your notifications read."""
    note = db.get(Notification, (actor.organisation_id, notification_id))
    if note is None or note.agent_id != actor.id:
        raise NotFound.of("notification", notification_id)
    if note.read_at is None:
        note.read_at = at
        db.flush()
    return note


def move_case(*, db: Session, organisation_id: uuid.UUID, old: uuid.UUID, new: uuid.UUID) -> None:
    """A case was merged into another: its notifications point at the one kept."""
    repoint(db, Notification, organisation_id=organisation_id, old=old, new=new)
