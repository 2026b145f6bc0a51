"""What the worker does for the coach: score contacts that ended (or got messages after they ended).

A timed step over `coach_queue` rows with a due time; each batch's scorecards and the removal of its
queue rows commit together, so a contact is scored once per change and a killed worker loses nothing.
"""

from datetime import datetime

from attent.coach.scoring import score_due
from attent.core.db import Database
from attent.core.settings import Settings

# Small batches: a request that queues a contact the worker holds waits for the batch's commit.
BATCH = 100


def score_ended_contacts(
    *, database: Database, now: datetime, limit: int = BATCH, settings: Settings | None = None
) -> int:
    """One batch of due contacts scored and stored; returns how many were taken off the queue."""
    with database.unit_of_work() as db:
        return score_due(db=db, now=now, limit=min(limit, BATCH))
