"""The access log (AVG/GDPR): who opened which customer, case, transcript or attachment, and who exported
or erased what. Append-only: nothing here updates or deletes an entry but the retention purge.

Writing must not slow the page that is being logged: a view is appended to an in-memory buffer (a
lock and a list append, microseconds) and written in batches by one multi-row insert (COPY on
PostgreSQL) from a background thread once a second, or by the request that fills the buffer to
`BATCH`. A process that is killed loses at most a second of views; exports and erasures, which must
never be lost, are written in the request's own transaction instead (`record_now`).

The rows hold ids only, no names or text, so the log itself holds no customer's personal data and
stays true after that customer is erased.
"""

import enum
import logging
import threading
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fastapi import Request
from sqlalchemy import ForeignKeyConstraint, Index, Select, String, delete, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from attent.core.db import Base, Database, TenantMixin, insert_many, str_enum
from attent.core.ids import uuid7

log = logging.getLogger(__name__)
BATCH = 200
FLUSH_SECONDS = 1.0


class Action(enum.StrEnum):
    """What the agent did with the data."""

    VIEW = "view"
    EXPORT = "export"
    ERASE = "erase"


class Subject(enum.StrEnum):
    """What kind of thing was opened."""

    CUSTOMER = "customer"
    CASE = "case"
    TRANSCRIPT = "transcript"
    ATTACHMENT = "attachment"
    ACCESS_LOG = "access_log"


class AccessEntry(TenantMixin, Base):
    """One access by one agent to one customer's data."""

    __tablename__ = "access_log"
    __table_args__ = (
        ForeignKeyConstraint(["organisation_id"], ["organisations.id"]),
        Index("ix_access_log_customer", "organisation_id", "customer_id", "at"),
        Index("ix_access_log_agent", "organisation_id", "agent_id", "at"),
        Index("ix_access_log_at", "organisation_id", "at"),
    )

    at: Mapped[datetime]
    agent_id: Mapped[uuid.UUID | None]  # None: the system (the worker's retention)
    action: Mapped[Action] = mapped_column(str_enum(Action))
    subject: Mapped[Subject] = mapped_column(str_enum(Subject))
    subject_id: Mapped[uuid.UUID | None]
    customer_id: Mapped[uuid.UUID | None]
    case_id: Mapped[uuid.UUID | None]
    channel: Mapped[str] = mapped_column(String(10), default="page")  # page or api


@dataclass(frozen=True)
class Seen:
    """An access, before it is written."""

    organisation_id: uuid.UUID
    agent_id: uuid.UUID | None
    action: Action
    subject: Subject
    subject_id: uuid.UUID | None
    at: datetime
    customer_id: uuid.UUID | None = None
    case_id: uuid.UUID | None = None
    channel: str = "page"

    def row(self) -> dict[str, Any]:
        return {"id": uuid7(), **self.__dict__}


class AccessLog:
    """The process's buffer of views, written in batches to `database`."""

    def __init__(self, database: Database) -> None:
        self.database = database
        self._lock = threading.Lock()
        self._pending: list[Seen] = []
        self._stop = threading.Event()
        self._full = threading.Event()
        self._thread: threading.Thread | None = None

    def add(self, seen: Seen) -> None:
        """Buffer one view; a full batch wakes the writer thread."""
        with self._lock:
            self._pending.append(seen)
            full = len(self._pending) >= BATCH
        if full:
            self._full.set()

    def flush(self) -> int:
        """Write what is buffered, in one transaction; a failure puts it back for the next try."""
        with self._lock:
            batch, self._pending = self._pending, []
        if not batch:
            return 0
        try:
            with self.database.unit_of_work() as db:
                insert_many(db, AccessEntry, [s.row() for s in batch])
        except Exception:
            log.exception("writing %d access log entries failed; kept for the next try", len(batch))
            with self._lock:
                self._pending[:0] = batch
            return 0
        return len(batch)

    def start(self) -> None:
        """Write the buffer once a second from a thread of its own (`attent serve`)."""
        self._thread = threading.Thread(target=self._run, name="attent-access-log", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            self._full.wait(FLUSH_SECONDS)
            self._full.clear()
            self.flush()

    def stop(self) -> None:
        """Write what is left and stop the thread."""
        self._stop.set()
        self._full.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self.flush()


def seen(
    request: Request,
    *,
    organisation_id: uuid.UUID,
    agent_id: uuid.UUID,
    subject: Subject,
    subject_id: uuid.UUID | None,
    at: datetime,
    customer_id: uuid.UUID | None = None,
    case_id: uuid.UUID | None = None,
) -> None:
    """Log that the agent behind `request` opened this (buffered; see the module's docstring)."""
    channel = "api" if request.url.path.startswith("/api/") else "page"
    request.app.state.access.add(
        Seen(organisation_id, agent_id, Action.VIEW, subject, subject_id, at, customer_id, case_id, channel)
    )


def record_now(db: Session, entry: Seen) -> None:
    """Log an export or an erasure in the caller's transaction: it is written with what it records."""
    db.add(AccessEntry(**entry.row()))
    db.flush()


def entries(
    *,
    organisation_id: uuid.UUID,
    customer_id: uuid.UUID | None = None,
    agent_id: uuid.UUID | None = None,
    action: Action | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 500,
) -> Select[AccessEntry]:
    """The organisation's entries, newest first, narrowed by customer, agent, action and period."""
    query = select(AccessEntry).where(AccessEntry.organisation_id == organisation_id)
    if customer_id is not None:
        query = query.where(AccessEntry.customer_id == customer_id)
    if agent_id is not None:
        query = query.where(AccessEntry.agent_id == agent_id)
    if action is not None:
        query = query.where(AccessEntry.action == action)
    if since is not None:
        query = query.where(AccessEntry.at >= since)
    if until is not None:
        query = query.where(AccessEntry.at < until)
    return query.order_by(AccessEntry.at.desc(), AccessEntry.id.desc()).limit(limit)


def purge_before(db: Session, *, organisation_id: uuid.UUID, before: datetime) -> int:
    """Retention: drop the organisation's entries older than `before` (the only deletion there is)."""
    result = db.execute(
        delete(AccessEntry).where(AccessEntry.organisation_id == organisation_id, AccessEntry.at < before)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
