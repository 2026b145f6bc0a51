"""Nobody is left waiting because someone went home.

When the owner of an open promise goes away or offline, or said their shift ends before the promise
is due, the promise is offered to the team; if no teammate takes it before it turns at risk, the
worker gives it to the available teammate with the fewest open promises. A shift that ends while the
agent is still marked available ends their availability too (`end_shifts`).
"""

import uuid
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from attent.agents import Agent, Presence, PresenceChanged, TeamMembership
from attent.promises.models import Promise, PromiseState
from attent.promises.service import offer, reassign_promise


def presence_changed(db: Session, event: PresenceChanged) -> None:
    """An agent's presence changed (subscribed in `attent.wiring`): hand over what they cannot keep."""
    offer_to_team(db=db, actor=event.actor, agent=event.agent, at=event.at)


def offer_to_team(*, db: Session, actor: Agent, agent: Agent, at: datetime) -> None:
    """The owner left, or will leave before some of their promises are due: offer those to the team."""
    query = select(Promise).where(
        Promise.organisation_id == agent.organisation_id,
        Promise.owner_id == agent.id,
        Promise.state == PromiseState.OPEN,
        Promise.offered_at.is_(None),
    )
    if agent.presence is Presence.AVAILABLE:
        if agent.available_until is None:
            return
        query = query.where(Promise.due_by > agent.available_until)
    for promise in db.scalars(query.with_for_update()):
        offer(db=db, promise=promise, owner=agent, at=at)
    db.flush()


def available_teammate(*, db: Session, promise: Promise) -> uuid.UUID | None:
    """The available member of the promise's team with the fewest open promises (ties: longest available)."""
    if promise.team_id is None:
        return None
    load = (
        select(func.count())
        .select_from(Promise)
        .where(
            Promise.organisation_id == Agent.organisation_id,
            Promise.owner_id == Agent.id,
            Promise.state == PromiseState.OPEN,
        )
        .scalar_subquery()
    )
    query = (
        select(Agent.id)
        .join(
            TeamMembership,
            (TeamMembership.organisation_id == Agent.organisation_id) & (TeamMembership.agent_id == Agent.id),
        )
        .where(
            Agent.organisation_id == promise.organisation_id,
            TeamMembership.team_id == promise.team_id,
            Agent.presence == Presence.AVAILABLE,
            Agent.active.is_(True),
        )
        .order_by(load, Agent.presence_changed_at, Agent.id)
        .limit(1)
    )
    if promise.owner_id is not None:
        query = query.where(Agent.id != promise.owner_id)
    return db.scalar(query)


def unattended(*, promise: Promise, owner: Agent | None) -> bool:
    """Still on offer, without an owner, or the owner is not available: nobody is watching this promise."""
    return promise.offered_at is not None or owner is None or owner.presence is not Presence.AVAILABLE


def hand_over_if_unattended(*, db: Session, promise: Promise, now: datetime) -> None:
    """At the at-risk moment: a promise still on offer, or whose owner is not available, gets a new owner."""
    owner = db.get(Agent, (promise.organisation_id, promise.owner_id)) if promise.owner_id else None
    if not unattended(promise=promise, owner=owner):
        return
    teammate = available_teammate(db=db, promise=promise)
    if teammate is not None:
        reassign_promise(
            db=db, actor=None, promise=promise, owner_id=teammate, team_id=None, at=now,
            reason="the owner is not available and nobody took it",
        )  # fmt: skip
