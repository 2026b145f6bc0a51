"""What the worker does for insight: send the surveys whose time has come (or skip them, saying why).

Claimed with `FOR UPDATE SKIP LOCKED` on PostgreSQL through `do_claimed`; a survey's message and its
'sent' mark commit together, and the outbox key `survey:<id>` makes a second send a no-op.
"""

from datetime import datetime

from attent.core.db import Database
from attent.core.setaside import do_claimed
from attent.core.settings import Settings
from attent.insight.surveys import due_surveys, send

BATCH = 200


def send_due_surveys(
    *, database: Database, now: datetime, limit: int = BATCH, settings: Settings | None = None
) -> int:
    """One batch of due surveys."""
    done = do_claimed(
        database=database,
        kind="survey",
        query=due_surveys(now=now, limit=min(limit, BATCH)),
        work=lambda db, batch: send(db=db, batch=batch, now=now),
        now=now,
    )
    return sum(done)
