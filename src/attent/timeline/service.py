"""Appending to and reading the timeline."""

import uuid
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from attent.agents import Agent
from attent.core.pagination import page
from attent.timeline.models import ActorKind, TimelineEvent


def record_event(
    *,
    db: Session,
    organisation_id: uuid.UUID,
    kind: str,
    at: datetime,
    actor: Agent | None,
    case_id: uuid.UUID | None = None,
    customer_id: uuid.UUID | None = None,
    data: dict[str, Any] | None = None,
    customer_visible: bool = False,
    actor_kind: ActorKind | None = None,
) -> TimelineEvent:
    """Append one event; `actor=None` means the system (or the customer, with actor_kind)."""
    event = TimelineEvent(
        organisation_id=organisation_id,
        case_id=case_id,
        customer_id=customer_id,
        at=at,
        actor_kind=actor_kind or (ActorKind.AGENT if actor else ActorKind.SYSTEM),
        actor_id=actor.id if actor else None,
        kind=kind,
        data=data or {},
        customer_visible=customer_visible,
    )
    db.add(event)
    return event


class CaseRef(Protocol):
    """What a case-level event needs to know of its case."""

    organisation_id: uuid.UUID
    id: uuid.UUID
    customer_id: uuid.UUID


def record_case_event(
    *,
    db: Session,
    case: CaseRef,
    kind: str,
    at: datetime,
    actor: Agent | None,
    data: dict[str, Any] | None = None,
    customer_visible: bool = False,
    actor_kind: ActorKind | None = None,
) -> TimelineEvent:
    """Append one event to a case's timeline (the case's organisation and customer come with it)."""
    return record_event(
        db=db,
        organisation_id=case.organisation_id,
        case_id=case.id,
        customer_id=case.customer_id,
        kind=kind,
        at=at,
        actor=actor,
        data=data,
        customer_visible=customer_visible,
        actor_kind=actor_kind,
    )


def case_events(
    *, db: Session, organisation_id: uuid.UUID, case_id: uuid.UUID, newest_first: bool = False
) -> list[TimelineEvent]:
    """Every event of one case in the order things happened."""
    order = (
        (TimelineEvent.at.desc(), TimelineEvent.id.desc())
        if newest_first
        else (TimelineEvent.at, TimelineEvent.id)
    )
    return list(
        db.scalars(
            select(TimelineEvent)
            .where(TimelineEvent.organisation_id == organisation_id, TimelineEvent.case_id == case_id)
            .order_by(*order)
        )
    )


def page_case_events(
    *,
    db: Session,
    organisation_id: uuid.UUID,
    case_id: uuid.UUID,
    customer_visible: bool | None,
    cursor: str | None,
    limit: int,
) -> tuple[list[TimelineEvent], str | None]:
    """One page of a case's events in the order things happened (optionally only what the customer can,
    or cannot, see), and the cursor of the next page."""
    query = select(TimelineEvent).where(
        TimelineEvent.organisation_id == organisation_id, TimelineEvent.case_id == case_id
    )
    if customer_visible is not None:
        query = query.where(TimelineEvent.customer_visible.is_(customer_visible))
    return page(db, query, (TimelineEvent.at, TimelineEvent.id), cursor, limit)
