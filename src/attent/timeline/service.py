"""Appending to and reading the timeline."""

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from attent.agents import Agent
from attent.core.db import insert_many, repoint
from attent.core.ids import uuid7
from attent.core.live import case_key, changed
from attent.core.pagination import page
from attent.timeline.kinds import Kind
from attent.timeline.models import ActorKind, TimelineEvent


def record_event(
    *,
    db: Session,
    organisation_id: uuid.UUID,
    event: Kind,
    at: datetime,
    actor: Agent | None,
    case_id: uuid.UUID | None = None,
    customer_id: uuid.UUID | None = None,
    actor_kind: ActorKind | None = None,
) -> TimelineEvent:
    """Append one event; `actor=None` means the system (or the customer, with actor_kind)."""
    row = TimelineEvent(
        organisation_id=organisation_id,
        case_id=case_id,
        customer_id=customer_id,
        at=at,
        actor_kind=actor_kind or (ActorKind.AGENT if actor else ActorKind.SYSTEM),
        actor_id=actor.id if actor else None,
        kind=event.name,
        data=event.data(),
        customer_visible=event.customer_visible(),
    )
    db.add(row)
    if case_id is not None:  # the case's open pages refresh once this commits
        changed(db, case_key(organisation_id, case_id))
    return row


class CaseRef(Protocol):
    """What a case-level event needs to know of its case."""

    @property
    def organisation_id(self) -> uuid.UUID: ...

    @property
    def id(self) -> uuid.UUID: ...

    @property
    def customer_id(self) -> uuid.UUID: ...


def record_case_event(
    *,
    db: Session,
    case: CaseRef,
    event: Kind,
    at: datetime,
    actor: Agent | None,
    actor_kind: ActorKind | None = None,
) -> TimelineEvent:
    """Append one event to a case's timeline (the case's organisation and customer come with it)."""
    return record_event(
        db=db,
        organisation_id=case.organisation_id,
        case_id=case.id,
        customer_id=case.customer_id,
        event=event,
        at=at,
        actor=actor,
        actor_kind=actor_kind,
    )


def case_event_row(
    *, db: Session, case: CaseRef, event: Kind, at: datetime, actor: Agent | None
) -> dict[str, Any]:
    """One event's row, for a writer that inserts it inside a statement of its own (a CTE with the
    row it records: `contacts.service`); the case is marked changed as `record_event` marks it, so
    its open pages are told after commit."""
    changed(db, case_key(case.organisation_id, case.id))
    kind = ActorKind.AGENT if actor else ActorKind.SYSTEM
    return {
        "organisation_id": case.organisation_id, "id": uuid7(), "case_id": case.id,
        "customer_id": case.customer_id, "at": at, "actor_kind": kind,
        "actor_id": actor.id if actor else None, "kind": event.name, "data": event.data(),
        "customer_visible": event.customer_visible(),
    }  # fmt: skip


def record_system_events(*, db: Session, entries: Sequence[tuple[CaseRef, Kind, datetime]]) -> None:
    """Append many events the system saw (the promise keeper's transitions) in one statement.

    The rows go in without the ORM's unit of work (COPY on PostgreSQL), so the cases are marked
    changed here and their open pages are told after commit (`core.live`)."""
    rows = [
        {
            "organisation_id": case.organisation_id,
            "id": uuid7(),
            "case_id": case.id,
            "customer_id": case.customer_id,
            "at": at,
            "actor_kind": ActorKind.SYSTEM,
            "actor_id": None,
            "kind": event.name,
            "data": event.data(),
            "customer_visible": event.customer_visible(),
        }
        for case, event, at in entries
    ]
    if rows:
        insert_many(db, TimelineEvent, rows)
        for case, _event, _at in entries:
            changed(db, case_key(case.organisation_id, case.id))


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


def move_case_events(*, db: Session, organisation_id: uuid.UUID, old: uuid.UUID, new: uuid.UUID) -> None:
    """A case was merged into another of the same customer: its timeline becomes part of the kept one's."""
    repoint(db, TimelineEvent, organisation_id=organisation_id, old=old, new=new)


def customer_events(
    *, db: Session, organisation_id: uuid.UUID, customer_id: uuid.UUID, kinds: Sequence[str]
) -> list[TimelineEvent]:
    """A customer's own events of these kinds (not their cases'), in the order they happened."""
    return list(
        db.scalars(
            select(TimelineEvent)
            .where(
                TimelineEvent.organisation_id == organisation_id,
                TimelineEvent.customer_id == customer_id,
                TimelineEvent.case_id.is_(None),
                TimelineEvent.kind.in_(kinds),
            )
            .order_by(TimelineEvent.at, TimelineEvent.id)
        )
    )


def flush_copying_events(*, db: Session) -> None:
    """Flush the session, its new timeline events written with `insert_many` (COPY on PostgreSQL) after
    everything else instead of through the ORM's unit of work: for a writer that stages many events at
    once (e-mail ingest), where they are the most numerous rows and the ORM's per-row cost dominates."""
    events = [row for row in db.new if isinstance(row, TimelineEvent)]
    for row in events:
        db.expunge(row)
    db.flush()
    rows = [
        {
            "organisation_id": e.organisation_id, "id": e.id or uuid7(), "case_id": e.case_id,
            "customer_id": e.customer_id, "at": e.at, "actor_kind": e.actor_kind, "actor_id": e.actor_id,
            "kind": e.kind, "data": e.data, "customer_visible": bool(e.customer_visible),
        }
        for e in events
    ]  # fmt: skip
    insert_many(db, TimelineEvent, rows)
