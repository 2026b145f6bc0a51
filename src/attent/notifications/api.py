"""Your inbox of things to act on."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from attent.agents import CurrentAgent
from attent.core.deps import ClockDep, DbSession
from attent.core.onethread import OneThreadRoute
from attent.core.pagination import MAX_LIMIT
from attent.core.schemas import Page
from attent.notifications import service
from attent.notifications.schemas import NotificationRead

router = APIRouter(prefix="/notifications", tags=["notifications"], route_class=OneThreadRoute)


@router.get("")
def inbox(
    db: DbSession,
    actor: CurrentAgent,
    unread: bool = False,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 50,
) -> Page[NotificationRead]:
    """Your notifications, unread first, newest first."""
    rows, next_cursor = service.inbox(db=db, actor=actor, unread_only=unread, cursor=cursor, limit=limit)
    return Page(items=[NotificationRead.model_validate(n) for n in rows], next_cursor=next_cursor)


@router.post("/{notification_id}/read")
def read(notification_id: uuid.UUID, db: DbSession, actor: CurrentAgent, clock: ClockDep) -> NotificationRead:
    """Mark a notification read."""
    return NotificationRead.model_validate(
        service.mark_read(db=db, actor=actor, notification_id=notification_id, at=clock.now())
    )
