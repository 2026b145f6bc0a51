"""Rate-limited sign-in: too many failures for one e-mail or from one address lock it for a while.

Counted in the database, so the limit holds across web processes and restarts; the check runs
before the password hash, so a flood of guesses costs no argon2 time either.
"""

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from attent.agents.models import SignInThrottle
from attent.core.db import upsert_insert
from attent.core.errors import RateLimited


@dataclass(frozen=True)
class Limit:
    """At most `failures` failed sign-ins per `window` for one key."""

    failures: int
    window: timedelta


def key_for(kind: str, value: str) -> str:
    """A stable, non-reversible key: 'email' or 'address' plus the value."""
    return hashlib.sha256(f"{kind}\n{value.strip().lower()}".encode()).hexdigest()


def minutes_until(until: datetime, at: datetime) -> int:
    """Whole minutes, rounded up, until sign-in is allowed again: never "0 min."."""
    return max(1, -(-int((until - at).total_seconds()) // 60))


def check(*, db: Session, limits: dict[str, Limit], at: datetime) -> None:
    """Refuse (429 with the time to try again) when any key has used up its window."""
    rows = db.scalars(select(SignInThrottle).where(SignInThrottle.key.in_(limits))).all()
    for row in rows:
        limit = limits[row.key]
        until = row.window_start + limit.window
        if row.failures >= limit.failures and until > at:
            minutes = minutes_until(until, at)
            raise RateLimited(
                "too_many_sign_ins",
                "Too many failed sign-ins; try again in {minutes} min.",
                retry_at=until,
                minutes=minutes,
            )


def record_failure(*, db: Session, limits: dict[str, Limit], at: datetime) -> None:
    """Count one failure against every key, starting a new window where the old one has passed."""
    for key, limit in sorted(limits.items()):
        insert = upsert_insert(db)(SignInThrottle).values(key=key, window_start=at, failures=0)
        db.execute(insert.on_conflict_do_nothing(index_elements=["key"]))
        row = db.scalars(select(SignInThrottle).where(SignInThrottle.key == key).with_for_update()).one()
        if row.window_start + limit.window <= at:
            row.window_start, row.failures = at, 0
        row.failures += 1
    db.flush()


def forget(*, db: Session, keys: Iterable[str]) -> None:
    """A successful sign-in clears its e-mail's count (the address keeps its own)."""
    db.execute(delete(SignInThrottle).where(SignInThrottle.key.in_(list(keys))))


def locked(*, db: Session, key: str, limit: Limit, at: datetime) -> bool:
    """Whether this key has used up its window right now."""
    row = db.get(SignInThrottle, key)
    return row is not None and row.failures >= limit.failures and row.window_start + limit.window > at
