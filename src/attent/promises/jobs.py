"""What happens when a promise falls due: it turns at risk before its due time, broken after its grace.

The worker claims due promises in batches with `FOR UPDATE SKIP LOCKED` (PostgreSQL), so several
workers share the load and no promise is moved twice; each batch's transitions, their timeline
events, hand-overs and the leads' notifications commit together, so a worker killed mid-batch
leaves nothing half-done.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from attent.agents.models import Agent
from attent.core.db import Database
from attent.core.ids import uuid7
from attent.core.settings import Settings
from attent.notifications.service import leads_by_team, notify_many
from attent.promises.handover import hand_over_if_unattended
from attent.promises.models import Promise, PromiseState
from attent.promises.telling import tell_customer
from attent.timeline.models import ActorKind, TimelineEvent

BATCH = 500


def advance_due_promises(
    *, database: Database, now: datetime, limit: int = BATCH, settings: Settings | None = None
) -> int:
    """Move every promise whose check time has come to its next state; returns how many moved."""
    with database.unit_of_work() as db:
        query = select(Promise).where(Promise.check_at <= now).order_by(Promise.check_at).limit(limit)
        if database.is_postgres:
            query = query.with_for_update(skip_locked=True)
        batch = list(db.scalars(query))
        _load_owners(db, batch)
        moved = [(promise, event) for promise in batch if (event := _advance(db, promise, now)) is not None]
        if moved:
            db.execute(insert(TimelineEvent), [event for _, event in moved])
            notify_many(db=db, rows=_lead_notifications(db, moved, now))
            for promise, event in moved:
                if event["kind"] == "promise.at_risk" and promise.tell_customer and _slipped(promise):
                    tell_customer(db=db, promise=promise, event="promise.at_risk", at=now)
    return len(moved)


def _slipped(promise: Promise) -> bool:
    """A promise made inside its own warning time was never on track; its customer needs no 'update'."""
    return promise.at_risk_at > promise.made_at


def _load_owners(db: Session, batch: list[Promise]) -> None:
    """One query puts every owner in the identity map, so hand-over checks cost no round trips."""
    owner_ids = {p.owner_id for p in batch if p.owner_id is not None}
    if owner_ids:
        db.scalars(select(Agent).where(Agent.id.in_(owner_ids))).all()


def _advance(db: Session, promise: Promise, now: datetime) -> dict[str, Any] | None:
    """The transition due for one promise, applied to it, as the row of its timeline event."""
    if promise.state is not PromiseState.OPEN:
        promise.check_at = None
        return None
    if now >= promise.grace_until:
        promise.state, promise.closed_at, promise.check_at = PromiseState.BROKEN, promise.grace_until, None
        kind, at = "promise.broken", promise.grace_until
    elif not promise.at_risk:
        promise.at_risk, promise.check_at = True, promise.grace_until
        kind, at = "promise.at_risk", promise.at_risk_at
        hand_over_if_unattended(db=db, promise=promise, now=now)
    else:
        promise.check_at = promise.grace_until
        return None
    return {
        "organisation_id": promise.organisation_id,
        "id": uuid7(),
        "case_id": promise.case_id,
        "customer_id": promise.customer_id,
        "at": at,
        "actor_kind": ActorKind.SYSTEM,
        "actor_id": None,
        "kind": kind,
        "data": {
            "promise_id": str(promise.id),
            "kind": promise.kind.value,
            "owner_id": str(promise.owner_id) if promise.owner_id else None,
            "due_by": promise.due_by.isoformat(),
            "noticed_at": now.isoformat(),
        },
        "customer_visible": False,
    }


def _lead_notifications(
    db: Session, moved: list[tuple[Promise, dict[str, Any]]], now: datetime
) -> list[dict[str, Any]]:
    """Tell the team's leads who owns each promise, what was promised, and since when it is in trouble."""
    leads = leads_by_team(db=db, team_ids={p.team_id for p, _ in moved if p.team_id is not None})
    rows = []
    for promise, event in moved:
        for organisation_id, lead_id in leads.get(promise.team_id, []) if promise.team_id else []:
            owner = db.get(Agent, (organisation_id, promise.owner_id)) if promise.owner_id else None
            rows.append(
                {
                    "organisation_id": organisation_id,
                    "agent_id": lead_id,
                    "kind": event["kind"],
                    "case_id": promise.case_id,
                    "data": {
                        **event["data"],
                        "owner_name": owner.name if owner else None,
                        "words": promise.words,
                        "since": event["at"].isoformat(),
                    },
                    "created_at": now,
                }
            )
    return rows
