"""What the worker does for the coach: score contacts that ended (or got messages after they ended).

A timed step over `coach_queue` rows with a due time; each batch's scorecards and the removal of its
queue rows commit together, so a contact is scored once per change and a killed worker loses nothing.
A batch that fails is scored again contact by contact, and one that keeps failing is set aside
(`attent.core.setaside`), so one transcript cannot stop everyone's scoring.
"""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from attent.coach.models import ScoringDue
from attent.coach.scoring import due_for_scoring, score_claimed
from attent.contacts import Contact
from attent.core.db import Database
from attent.core.setaside import do_claimed
from attent.core.settings import Settings

# Small batches: a request that queues a contact the worker holds waits for the batch's commit.
BATCH = 100


def score_ended_contacts(
    *, database: Database, now: datetime, limit: int = BATCH, settings: Settings | None = None
) -> int:
    """One batch of due contacts scored and stored; returns how many were taken off the queue."""
    return sum(
        do_claimed(
            database=database,
            kind="coach_scoring",
            query=due_for_scoring(now=now, limit=min(limit, BATCH)),
            work=lambda db, due: score_claimed(db=db, due=due, now=now),
            now=now,
            case_of=_case_of,
        )
    )


def _case_of(db: Session, row: Any) -> uuid.UUID | None:
    """A queued contact's case, for the admin's list of what was set aside."""
    assert isinstance(row, ScoringDue)
    return db.scalar(
        select(Contact.case_id).where(
            Contact.organisation_id == row.organisation_id, Contact.id == row.contact_id
        )
    )
