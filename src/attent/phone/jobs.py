"""Timed work for the phone line: events a large batch queued, and calls whose `ended` waited too long
for an event before it."""

from datetime import datetime

from attent.core.db import Database
from attent.core.setaside import do_claimed
from attent.core.settings import Settings
from attent.phone.service import overdue_calls, process_queued, queued_events, settle_overdue


def settle_calls(*, database: Database, now: datetime, limit: int, settings: Settings) -> int:
    """Settle, with what they have, the calls an event never completed (see `phone.calls.SETTLE_AFTER`)."""
    return sum(
        do_claimed(
            database=database,
            kind="phone_call",
            query=overdue_calls(now=now, limit=limit),
            work=lambda db, calls: settle_overdue(db=db, calls=list(calls), at=now),
            now=now,
        )
    )


def take_queued_events(*, database: Database, now: datetime, limit: int, settings: Settings) -> int:
    """Do the events large batches queued (see `phone.service.receive`), a claimed batch per transaction."""
    return sum(
        do_claimed(
            database=database,
            kind="phone_event",
            query=queued_events(now=now, limit=limit),
            work=lambda db, events: process_queued(db=db, events=list(events), at=now),
            now=now,
        )
    )
