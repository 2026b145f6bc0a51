"""Set aside: a row the worker cannot do stops blocking its queue, for its own organisation and all others.

Every timed step claims a batch of due rows and does them in one transaction: a few statements per
batch, which is what keeps the promise keeper and the signal engine fast. When that transaction fails,
nobody knows which row caused it, so `do_claimed` does the same rows again one by one, each in its own
transaction: the good ones go through, and each one that fails has its failure counted here (attempts,
the last error, the case it belongs to). After SET_ASIDE_AFTER failures the row is left out of every
later claim of its step until an admin asks to try again (`GET /api/v1/failures`, `/admin/failures`).

Errors that say the database itself is unreachable, busy or gone (OperationalError and friends) blame
no row: the step fails as a whole, the worker logs it, and the next tick tries again. The error text
kept is the exception's kind and first line, never SQL or its parameters (a database error's DETAIL
names the values), and it is recorded while doing that row alone, so it speaks of nothing else.
"""

import logging
import uuid
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from functools import cache, partial
from typing import Any, TypeVar

from sqlalchemy import (
    ForeignKeyConstraint,
    Select,
    String,
    Text,
    UniqueConstraint,
    and_,
    case,
    delete,
    exists,
    func,
    select,
    update,
)
from sqlalchemy.exc import DisconnectionError, InterfaceError, OperationalError, StatementError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Mapped, Session, mapped_column

from attent.core import claims
from attent.core.db import Base, Database, TenantMixin, upsert_insert
from attent.core.ids import uuid7

log = logging.getLogger(__name__)

SET_ASIDE_AFTER = 3
FORGET_AFTER = timedelta(days=1)  # failures counted but not (yet) set aside, then nothing for a day
NOT_THE_ROWS = (OperationalError, InterfaceError, DisconnectionError, PoolTimeout)
Key = tuple[uuid.UUID, uuid.UUID]
T = TypeVar("T")
CaseOf = Callable[[Session, Any], uuid.UUID | None]


class SetAside(TenantMixin, Base):
    """Failures of one row in one step; `failed_at` is set when it was set aside."""

    __tablename__ = "set_aside"
    __table_args__ = (
        ForeignKeyConstraint(["organisation_id"], ["organisations.id"]),
        UniqueConstraint("organisation_id", "kind", "row_id"),
    )

    kind: Mapped[str] = mapped_column(String(40))
    row_id: Mapped[uuid.UUID]
    case_id: Mapped[uuid.UUID | None]
    attempts: Mapped[int]
    last_error: Mapped[str] = mapped_column(Text)
    last_failed_at: Mapped[datetime]
    failed_at: Mapped[datetime | None]


def do_claimed(
    *,
    database: Database,
    kind: str,
    query: Select[Any],
    work: Callable[[Session, Sequence[Any]], T],
    now: datetime,
    case_of: CaseOf | None = None,
    skip_locked: bool = True,
) -> list[T]:
    """Claim what `query` selects (less what is set aside) and do `work` on it in one transaction; if
    that fails, do each row alone. Returns `work`'s result for each transaction that committed.

    `query` selects one model's rows (or columns that include its `organisation_id` and `id`); it may
    join others, and only the first model's rows are locked (`FOR UPDATE SKIP LOCKED` on PostgreSQL;
    `skip_locked=False` waits instead, for rows this worker already leased), one organisation at a
    time, each its share of the batch (attent.core.claims). `case_of` finds a row's case
    for the admin's list when the row has no `case_id` of its own.
    """
    selected = query.column_descriptions[0]
    model, whole_rows = selected["entity"], selected["expr"] is selected["entity"]
    claim = partial(_claim, kind=kind, model=model, whole_rows=whole_rows, skip_locked=skip_locked)
    keys: list[Key] = []
    try:
        with database.unit_of_work() as db:
            rows = claim(db, query)
            keys = [(row.organisation_id, row.id) for row in rows]
            if not rows:
                return []
            result = work(db, rows)
        return [result]
    except Exception as exc:
        if not keys or isinstance(exc, NOT_THE_ROWS):
            raise
        log.warning(
            "%s: a batch of %d failed (%s); doing its rows one by one", kind, len(keys), describe(exc)
        )
    results = []
    for key in keys:
        alone = query.where(model.organisation_id == key[0], model.id == key[1])
        try:
            with database.unit_of_work() as db:
                rows = claim(db, alone)
                if not rows:
                    continue  # done or taken by another worker meanwhile
                result = work(db, rows)
                _forget(db, kind, key)
            results.append(result)
        except Exception as exc:
            if isinstance(exc, NOT_THE_ROWS):
                raise
            _count_failure(database, kind, model, key, exc, now, case_of or _own_case)
    return results


def _claim(
    db: Session, query: Select[Any], *, kind: str, model: Any, whole_rows: bool, skip_locked: bool
) -> Sequence[Any]:
    query = query.where(_not_set_aside(kind, model))
    return claims.claim(db, query, model=model, whole_rows=whole_rows, skip_locked=skip_locked)


@cache
def _not_set_aside(kind: str, model: Any) -> Any:
    """The claim's extra condition, built once per step (building it costs more than running it)."""
    return ~exists().where(
        SetAside.organisation_id == model.organisation_id,
        SetAside.kind == kind,
        SetAside.row_id == model.id,
        SetAside.failed_at.is_not(None),
    )


def _forget(db: Session, kind: str, key: Key) -> None:
    """A row that went through on its own has no failures to its name any more."""
    db.execute(
        delete(SetAside).where(
            SetAside.organisation_id == key[0], SetAside.kind == kind, SetAside.row_id == key[1]
        )
    )


def _own_case(_db: Session, row: Any) -> uuid.UUID | None:
    case_id = getattr(row, "case_id", None)
    return case_id if isinstance(case_id, uuid.UUID) else None


def _count_failure(
    database: Database, kind: str, model: Any, key: Key, error: Exception, now: datetime, case_of: CaseOf
) -> None:
    """One more failure for this row, in a transaction of its own; the third sets it aside."""
    text = describe(error)
    try:
        with database.unit_of_work() as db:
            row = db.get(model, key)
            case_id = case_of(db, row) if row is not None else None
            insert = upsert_insert(db)(SetAside).values(
                organisation_id=key[0], id=uuid7(), kind=kind, row_id=key[1], case_id=case_id, attempts=1,
                last_error=text, last_failed_at=now, failed_at=now if SET_ASIDE_AFTER <= 1 else None,
            )  # fmt: skip
            attempts = SetAside.attempts + 1
            attempts_now = db.scalar(
                insert.on_conflict_do_update(
                    index_elements=["organisation_id", "kind", "row_id"],
                    set_={
                        "attempts": attempts,
                        "last_error": insert.excluded.last_error,
                        "last_failed_at": insert.excluded.last_failed_at,
                        "case_id": insert.excluded.case_id,
                        "failed_at": case(
                            (
                                attempts >= SET_ASIDE_AFTER,
                                func.coalesce(SetAside.failed_at, insert.excluded.last_failed_at),
                            ),
                            else_=SetAside.failed_at,
                        ),
                    },
                ).returning(SetAside.attempts)
            )
    except Exception:
        log.exception("%s %s: could not count its failure", kind, key[1])
        return
    verdict = "set aside" if (attempts_now or 0) >= SET_ASIDE_AFTER else "will be tried again"
    log.warning(
        "%s %s of organisation %s failed (%s of %d), %s: %s",
        kind, key[1], key[0], attempts_now, SET_ASIDE_AFTER, verdict, text, exc_info=error,
    )  # fmt: skip


def describe(error: BaseException) -> str:
    """The error as an admin may read it: its kind and first line, never SQL or its parameters."""
    if isinstance(error, StatementError) and error.orig is not None:
        error = error.orig
    lines = str(error).strip().splitlines()
    name = type(error).__name__
    return f"{name}: {lines[0]}"[:500] if lines else name


# --- what admins see and do -------------------------------------------------------------------------


def set_aside(*, db: Session, organisation_id: uuid.UUID) -> list[SetAside]:
    """The organisation's rows that are set aside, most recent first."""
    return list(
        db.scalars(
            select(SetAside)
            .where(SetAside.organisation_id == organisation_id, SetAside.failed_at.is_not(None))
            .order_by(SetAside.failed_at.desc(), SetAside.id)
        )
    )


def try_again(*, db: Session, organisation_id: uuid.UUID, set_aside_id: uuid.UUID) -> bool:
    """Clear a row's failures so its step claims it again; False when there is no such set-aside row."""
    result = db.execute(
        update(SetAside)
        .where(
            SetAside.organisation_id == organisation_id,
            SetAside.id == set_aside_id,
            SetAside.failed_at.is_not(None),
        )
        .values(failed_at=None, attempts=0)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))


def forget_old_failures(*, db: Session, now: datetime) -> None:
    """Counts that never reached SET_ASIDE_AFTER, with no failure for a day: that row is fine now."""
    db.execute(
        delete(SetAside).where(
            and_(SetAside.failed_at.is_(None), SetAside.last_failed_at < now - FORGET_AFTER)
        )
    )
