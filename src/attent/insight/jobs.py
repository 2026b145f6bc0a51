"""What the worker does for insight: send the surveys whose time has come (or skip them, saying why),
and keep the daily roll-ups exact.

Claimed with `FOR UPDATE SKIP LOCKED` on PostgreSQL through `do_claimed`; a survey's message and its
'sent' mark commit together, and the outbox key `survey:<id>` makes a second send a no-op.
"""

from datetime import UTC, datetime

from sqlalchemy import select

from attent.core.db import Database
from attent.core.setaside import do_claimed
from attent.core.settings import Settings
from attent.insight import rollups
from attent.insight.service import MEASURES
from attent.insight.surveys import due_surveys, send
from attent.organisations import Organisation

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


def refresh_rollups(*, database: Database, now: datetime, limit: int, settings: Settings) -> int:
    """Keep every organisation's daily roll-ups exact (`rollups.py`), each in its own transaction, at
    most every half minute; returns the days recomputed."""
    del limit, settings  # one organisation's refresh is one set-based piece of work
    with database.unit_of_work() as db:
        organisations = list(db.scalars(select(Organisation.id)))
    days = 0
    for organisation_id in organisations:
        with database.unit_of_work() as db:
            days += rollups.refresh(
                db=db,
                organisation_id=organisation_id,
                measures=MEASURES.values(),
                now=now,
                real_now=datetime.now(UTC),  # the ids' clock, not the figures' (see rollups.id_floor)
            )
    return days
