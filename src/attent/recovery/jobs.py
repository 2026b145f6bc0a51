"""What the worker does for recovery: check-ins after resolution, due check-ins, 30-day outcomes.

Each is a timed step over rows with a due time, claimed with `FOR UPDATE SKIP LOCKED` on PostgreSQL;
a batch's effects and its 'done' marks commit together, so nothing happens twice or is lost. A batch
that fails is done again row by row, and a row that keeps failing is set aside (`attent.core.setaside`).
"""

from datetime import datetime

from attent.core.db import Database
from attent.core.setaside import do_claimed
from attent.core.settings import Settings
from attent.recovery.checkins import (
    awaiting_resolution,
    do_check_ins,
    due_check_ins,
    schedule_after_resolution,
)
from attent.recovery.outcomes import due_outcomes, record_outcomes

BATCH = 200


def advance_recovery(
    *, database: Database, now: datetime, limit: int = BATCH, settings: Settings | None = None
) -> int:
    """One batch of each: schedule check-ins for resolved cases, do due check-ins, record outcomes."""
    limit = min(limit, BATCH)
    resolved = do_claimed(
        database=database,
        kind="gesture_resolved",
        query=awaiting_resolution(now=now, limit=limit),
        work=lambda db, gestures: schedule_after_resolution(db=db, gestures=gestures, now=now),
        now=now,
    )
    check_ins = do_claimed(
        database=database,
        kind="check_in",
        query=due_check_ins(now=now, limit=limit),
        work=lambda db, batch: do_check_ins(db=db, batch=batch, now=now),
        now=now,
    )
    outcomes = do_claimed(
        database=database,
        kind="gesture_outcome",
        query=due_outcomes(now=now, limit=limit),
        work=lambda db, batch: record_outcomes(db=db, batch=batch, now=now),
        now=now,
    )
    return sum(resolved) + sum(check_ins) + sum(outcomes)
