"""What happens when a promise falls due: it turns at risk before its due time, broken after its grace.

The worker claims due promises in batches with `FOR UPDATE SKIP LOCKED` (PostgreSQL), so several
workers share the load and no promise is moved twice; each batch's transitions and their timeline
events commit together, so a worker killed mid-batch leaves nothing half-done.
"""

from datetime import datetime

from sqlalchemy import insert, select

from attent.core.db import Database
from attent.core.ids import uuid7
from attent.promises.models import Promise, PromiseState
from attent.timeline.models import ActorKind, TimelineEvent

BATCH = 500


def advance_due_promises(*, database: Database, now: datetime, limit: int = BATCH) -> int:
    """Move every promise whose check time has come to its next state; returns how many moved."""
    with database.unit_of_work() as db:
        query = select(Promise).where(Promise.check_at <= now).order_by(Promise.check_at).limit(limit)
        if database.is_postgres:
            query = query.with_for_update(skip_locked=True)
        events = []
        for promise in db.scalars(query):
            event = _advance(promise, now)
            if event is not None:
                events.append(event)
        if events:
            db.execute(insert(TimelineEvent), events)
    return len(events)


def _advance(promise: Promise, now: datetime) -> dict[str, object] | None:
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
