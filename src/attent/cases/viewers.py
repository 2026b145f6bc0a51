"""Who has a case open right now: the case page's live stream keeps these rows (see `cases.service`)."""

import uuid
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from attent.agents import Agent
from attent.cases.models import CaseViewer
from attent.core.db import upsert_insert

# A page that has not said it is still there for three of its 15-second heartbeats has gone.
GONE_AFTER = timedelta(seconds=45)


def see(
    *, db: Session, organisation_id: uuid.UUID, case_id: uuid.UUID, agent_id: uuid.UUID, at: datetime
) -> None:
    """Record (or refresh) that an agent has the case open."""
    insert = upsert_insert(db)
    values = {"organisation_id": organisation_id, "case_id": case_id, "agent_id": agent_id, "seen_at": at}
    seen = insert(CaseViewer).values(**values)
    db.execute(  # excluded.*, not a parameter again: Citus loses a parameter's type in DO UPDATE
        seen.on_conflict_do_update(
            index_elements=["organisation_id", "case_id", "agent_id"], set_={"seen_at": seen.excluded.seen_at}
        )
    )


def leave(*, db: Session, organisation_id: uuid.UUID, case_id: uuid.UUID, agent_id: uuid.UUID) -> None:
    """The agent closed the case."""
    db.execute(
        delete(CaseViewer).where(
            CaseViewer.organisation_id == organisation_id,
            CaseViewer.case_id == case_id,
            CaseViewer.agent_id == agent_id,
        )
    )


def viewers(*, db: Session, actor: Agent, case_id: uuid.UUID, at: datetime) -> list[str]:
    """The names of colleagues who have this case open now (not the actor)."""
    rows = db.scalars(
        select(Agent.name)
        .join(
            CaseViewer,
            (CaseViewer.organisation_id == Agent.organisation_id) & (CaseViewer.agent_id == Agent.id),
        )
        .where(
            CaseViewer.organisation_id == actor.organisation_id,
            CaseViewer.case_id == case_id,
            CaseViewer.agent_id != actor.id,
            CaseViewer.seen_at > at - GONE_AFTER,
        )
        .order_by(Agent.name)
    )
    return list(rows)
