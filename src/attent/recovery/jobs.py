"""What the worker does for recovery: check-ins after resolution, due check-ins, 30-day outcomes.

Each is a timed step over rows with a due time, claimed with `FOR UPDATE SKIP LOCKED` on PostgreSQL;
a batch's effects and its 'done' marks commit together, so nothing happens twice or is lost.
"""

from datetime import datetime

from attent.core.db import Database
from attent.core.settings import Settings
from attent.recovery.checkins import do_due_check_ins, schedule_after_resolution
from attent.recovery.outcomes import record_due_outcomes

BATCH = 200


def advance_recovery(
    *, database: Database, now: datetime, limit: int = BATCH, settings: Settings | None = None
) -> int:
    """One batch of each: schedule check-ins for resolved cases, do due check-ins, record outcomes."""
    limit = min(limit, BATCH)
    moved = 0
    for step in (schedule_after_resolution, do_due_check_ins, record_due_outcomes):
        with database.unit_of_work() as db:
            moved += step(db=db, now=now, limit=limit)
    return moved
