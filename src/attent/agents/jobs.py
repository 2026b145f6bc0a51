"""Timed work for agents: shifts that end while the agent is still marked available."""

from datetime import datetime

from attent.agents.service import end_finished_shifts
from attent.core.db import Database
from attent.core.settings import Settings


def end_shifts(*, database: Database, now: datetime, limit: int, settings: Settings) -> int:
    """One transaction per tick ends every finished shift (and hands over what those agents owned)."""
    with database.unit_of_work() as db:
        return end_finished_shifts(db=db, now=now, limit=limit)
