"""Durable jobs: everything that must happen later, or outside the request, is a row with a due time.

Claiming uses `FOR UPDATE SKIP LOCKED` on PostgreSQL so several workers never take the same job; on
SQLite the single writer lock gives the same guarantee. A claim is a lease: a worker killed mid-job
leaves it claimed only until the lease runs out, after which another worker takes it again.
"""

import logging
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ForeignKeyConstraint, Index, String, Text, UniqueConstraint, or_, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from attent.core import claims
from attent.core.db import Base, Database, TenantMixin, upsert_insert
from attent.core.ids import uuid7

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=5)
MAX_ATTEMPTS = 8


class Job(TenantMixin, Base):
    """One piece of deferred work; `key` makes enqueueing idempotent within an organisation."""

    __tablename__ = "jobs"
    __table_args__ = (
        ForeignKeyConstraint(["organisation_id"], ["organisations.id"]),
        UniqueConstraint("organisation_id", "key"),
        Index("ix_jobs_due", "done_at", "due_at"),
    )

    kind: Mapped[str] = mapped_column(String(80))
    key: Mapped[str] = mapped_column(String(200))
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    due_at: Mapped[datetime]
    attempts: Mapped[int] = mapped_column(default=0)
    locked_by: Mapped[str | None] = mapped_column(String(80))
    locked_until: Mapped[datetime | None]
    done_at: Mapped[datetime | None]
    failed_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]


Handler = Callable[[Session, Job, datetime], None]
HANDLERS: dict[str, Handler] = {}


class GiveUp(Exception):
    """A job failure that retrying cannot fix: the job fails at once, with this as its error."""


def register(kind: str, handler: Handler) -> None:
    """Name the function that does jobs of this kind, inside the job's own transaction (`attent.wiring`)."""
    HANDLERS[kind] = handler


def enqueue(
    *,
    db: Session,
    organisation_id: uuid.UUID,
    kind: str,
    key: str,
    payload: dict[str, Any],
    due_at: datetime,
    at: datetime,
) -> None:
    """Add a job in the caller's transaction; a second enqueue with the same key is a no-op."""
    values = {
        "organisation_id": organisation_id,
        "id": uuid7(),
        "kind": kind,
        "key": key,
        "payload": payload,
        "due_at": due_at,
        "created_at": at,
        "attempts": 0,
    }
    insert = upsert_insert(db)
    db.execute(insert(Job).values(**values).on_conflict_do_nothing(index_elements=["organisation_id", "key"]))


def claim(*, db: Session, worker_id: str, now: datetime, limit: int = 20) -> list[Job]:
    """Lease up to `limit` due jobs to this worker; the caller commits the claim."""
    query = (
        select(Job)
        .where(
            Job.done_at.is_(None),
            Job.failed_at.is_(None),
            Job.due_at <= now,
            or_(Job.locked_until.is_(None), Job.locked_until < now),
        )
        .order_by(Job.due_at)
        .limit(limit)
    )
    jobs = list(claims.claim(db, query, model=Job))
    for job in jobs:
        job.locked_by, job.locked_until, job.attempts = worker_id, now + LEASE, job.attempts + 1
    db.flush()
    return jobs


def run_job(*, database: Database, job: Job, worker_id: str, now: datetime) -> bool:
    """Do one claimed job in its own transaction; its effects and its 'done' mark commit together."""
    handler = HANDLERS.get(job.kind)
    try:
        with database.unit_of_work() as db:
            current = db.scalar(
                select(Job)
                .where(
                    Job.organisation_id == job.organisation_id, Job.id == job.id, Job.locked_by == worker_id
                )
                .with_for_update()
            )
            if current is None or current.done_at is not None:
                return False  # the lease expired and another worker took it over
            if handler is None:
                raise LookupError(f"no handler registered for job kind {job.kind!r}")
            handler(db, current, now)
            current.done_at, current.locked_until = now, None
        return True
    except Exception as exc:
        log.exception("job %s (%s) failed", job.id, job.kind)
        _record_failure(database=database, job=job, error=exc, now=now)
        return False


def _record_failure(*, database: Database, job: Job, error: Exception, now: datetime) -> None:
    """Retry later with exponential backoff, or give up after MAX_ATTEMPTS or a GiveUp, keeping the error."""
    backoff = timedelta(seconds=min(3600, 2 ** (job.attempts + 2)))
    with database.unit_of_work() as db:
        values: dict[str, Any] = {
            "last_error": f"{type(error).__name__}: {error}"[:2000],
            "locked_until": None,
        }
        if job.attempts >= MAX_ATTEMPTS or isinstance(error, GiveUp):
            values["failed_at"] = now
        else:
            values["due_at"] = now + backoff
        db.execute(
            update(Job).where(Job.organisation_id == job.organisation_id, Job.id == job.id).values(**values)
        )


def run_due_jobs(*, database: Database, worker_id: str, now: datetime, limit: int = 20) -> int:
    """Claim a batch and do it; returns how many jobs completed."""
    with database.unit_of_work() as db:
        jobs = claim(db=db, worker_id=worker_id, now=now, limit=limit)
    return sum(run_job(database=database, job=job, worker_id=worker_id, now=now) for job in jobs)
