"""Timed work for agents: shifts that end while the agent is still marked available."""

from datetime import datetime

from attent.agents.service import end_finished_shifts, finished_shifts
from attent.core.db import Database
from attent.core.setaside import do_claimed
from attent.core.settings import Settings


def end_shifts(*, database: Database, now: datetime, limit: int, settings: Settings) -> int:
    """One transaction per tick ends every finished shift (and hands over what those agents owned)."""
    return sum(
        do_claimed(
            database=database,
            kind="agent_shift",
            query=finished_shifts(now=now, limit=limit),
            work=lambda db, agents: end_finished_shifts(db=db, agents=agents, now=now),
            now=now,
        )
    )
