"""What happens when a promise falls due: it turns at risk before its due time, broken after its grace.

The worker claims due promises in batches with `FOR UPDATE SKIP LOCKED` (PostgreSQL), so several
workers share the load and no promise is moved twice; each batch's transitions, their timeline
events, hand-overs and the leads' notifications commit together, so a worker killed mid-batch
leaves nothing half-done. A batch that fails is done again promise by promise, and a promise that
keeps failing is set aside (`attent.core.setaside`), so it cannot hold up everyone else's.

Set-based on purpose: per batch one claiming SELECT, one UPDATE per kind of change, one multi-row
INSERT for the events and one for the notifications. Per-row ORM flushes cost one statement (and
on this path one autoflush per owner lookup) for every promise, which kept two workers near 1,000
transitions/s; see bench/README.md.
"""

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from attent.agents import Agent
from attent.core.db import Database
from attent.core.setaside import do_claimed
from attent.core.settings import Settings
from attent.notifications.service import leads_by_team, notify_many
from attent.promises.handover import hand_over_if_unattended, unattended
from attent.promises.kinds import PromiseAtRisk, PromiseBroken, PromiseTransition
from attent.promises.models import Promise, PromiseState
from attent.promises.next_due import refresh_cases_of
from attent.promises.telling import tell_customer
from attent.timeline.service import record_system_events

BATCH = 500
AT_RISK, BROKEN, RECHECK, DONE = "at_risk", "broken", "recheck", "done"
# Each kind of change as one UPDATE; the values may refer to the row's own columns.
CHANGES: dict[str, dict[str, Any]] = {
    BROKEN: {"state": PromiseState.BROKEN, "closed_at": Promise.grace_until, "check_at": None},
    AT_RISK: {"at_risk": True, "check_at": Promise.grace_until},
    RECHECK: {"check_at": Promise.grace_until},  # already at risk: look again when the grace runs out
    DONE: {"check_at": None},  # kept or cancelled meanwhile: nothing more to watch
}
PromiseKey = tuple[uuid.UUID, uuid.UUID]
Moved = tuple[Promise, PromiseTransition, datetime]


def advance_due_promises(
    *, database: Database, now: datetime, limit: int = BATCH, settings: Settings | None = None
) -> int:
    """Move every promise whose check time has come to its next state; returns how many moved."""
    query = select(Promise).where(Promise.check_at <= now).order_by(Promise.check_at).limit(limit)
    return sum(
        do_claimed(
            database=database,
            kind="promise",
            query=query,
            work=lambda db, batch: _advance(db, batch, now),
            now=now,
        )
    )


def _advance(db: Session, batch: Sequence[Promise], now: datetime) -> int:
    """One claimed batch's transitions, events, hand-overs and notifications, in the caller's transaction."""
    owners = _owners(db, batch)
    changes: dict[str, list[Promise]] = defaultdict(list)
    for promise in batch:
        changes[_change(promise, now)].append(promise)
    for change, promises in changes.items():
        _apply(db, change, promises)
    refresh_cases_of(db, changes[BROKEN])  # a broken promise is no longer the case's next one
    moved: list[Moved] = []  # each transition: the promise, its event and the moment it stands for
    for promise in changes[AT_RISK]:
        owner = owners.get((promise.organisation_id, promise.owner_id)) if promise.owner_id else None
        if unattended(promise=promise, owner=owner):  # the common case costs no lookup at all
            hand_over_if_unattended(db=db, promise=promise, now=now)
        moved.append((promise, _event(PromiseAtRisk, promise, now), promise.at_risk_at))
    moved += [(p, _event(PromiseBroken, p, now), p.grace_until) for p in changes[BROKEN]]
    if moved:
        record_system_events(db=db, entries=[(_case(p), event, at) for p, event, at in moved])
        notify_many(db=db, rows=_lead_notifications(db, moved, owners, now))
        for promise, event, _at in moved:
            if isinstance(event, PromiseAtRisk) and promise.tell_customer and _slipped(promise):
                tell_customer(db=db, promise=promise, event=PromiseAtRisk, at=now)
    return len(moved)


@dataclass(frozen=True)
class _CaseOf:
    """What the timeline needs of a promise's case, without loading it."""

    organisation_id: uuid.UUID
    id: uuid.UUID
    customer_id: uuid.UUID


def _case(promise: Promise) -> _CaseOf:
    return _CaseOf(promise.organisation_id, promise.case_id, promise.customer_id)


def _slipped(promise: Promise) -> bool:
    """A promise made inside its own warning time was never on track; its customer needs no 'update'."""
    return promise.at_risk_at > promise.made_at


def _owners(db: Session, batch: Sequence[Promise]) -> dict[PromiseKey, Agent]:
    """Every owner in one query, held here (the identity map keeps only weak references)."""
    keys = {(p.organisation_id, p.owner_id) for p in batch if p.owner_id is not None}
    if not keys:
        return {}
    agents = db.scalars(
        select(Agent).where(
            Agent.organisation_id.in_(sorted({org for org, _ in keys})),
            Agent.id.in_(sorted({agent for _, agent in keys})),
        )
    )
    return {(a.organisation_id, a.id): a for a in agents}


def _change(promise: Promise, now: datetime) -> str:
    """Which change is due for one promise."""
    if promise.state is not PromiseState.OPEN:
        return DONE
    if now >= promise.grace_until:
        return BROKEN
    return RECHECK if promise.at_risk else AT_RISK


def _apply(db: Session, change: str, promises: list[Promise]) -> None:
    """One UPDATE for all promises with the same change; the loaded objects get the written values."""
    by_key = {(p.organisation_id, p.id): p for p in promises}
    values = CHANGES[change]
    statement = (
        update(Promise)
        .where(
            Promise.organisation_id.in_(sorted({org for org, _ in by_key})),
            Promise.id.in_([promise_id for _, promise_id in by_key]),
        )
        .values(values)
        .returning(Promise.organisation_id, Promise.id, *[getattr(Promise, name) for name in values])
        .execution_options(synchronize_session=False)  # the loop below does it, from what was written
    )
    for row in db.execute(statement):
        promise = by_key[(row.organisation_id, row.id)]
        for name in values:  # as committed: the session has nothing left to flush for them
            set_committed_value(promise, name, getattr(row, name))


def _event(kind: type[PromiseTransition], promise: Promise, now: datetime) -> PromiseTransition:
    """One transition's timeline event; `noticed_at` is when the worker saw it."""
    return kind(
        promise_id=str(promise.id),
        promise_kind=promise.kind.value,
        owner_id=str(promise.owner_id) if promise.owner_id else None,
        due_by=promise.due_by.isoformat(),
        noticed_at=now.isoformat(),
    )


def _lead_notifications(
    db: Session, moved: list[Moved], owners: dict[PromiseKey, Agent], now: datetime
) -> list[dict[str, Any]]:
    """Tell the team's leads who owns each promise, what was promised, and since when it is in trouble."""
    leads = leads_by_team(db=db, team_ids={p.team_id for p, _, _ in moved if p.team_id is not None})
    rows = []
    for promise, event, at in moved:
        team_leads = leads.get(promise.team_id, []) if promise.team_id else []
        if not team_leads:
            continue
        owner = None
        if promise.owner_id is not None:  # a new owner after a hand-over is not among those loaded
            key = (promise.organisation_id, promise.owner_id)
            owner = owners.get(key) or db.get(Agent, key)
        for organisation_id, lead_id in team_leads:
            rows.append(
                {
                    "organisation_id": organisation_id,
                    "agent_id": lead_id,
                    "kind": event.name,
                    "case_id": promise.case_id,
                    "data": {
                        **event.data(),
                        "owner_name": owner.name if owner else None,
                        "words": promise.words,
                        "since": at.isoformat(),
                    },
                    "created_at": now,
                }
            )
    return rows
