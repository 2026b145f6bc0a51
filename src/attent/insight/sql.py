"""The few expressions SQLite and PostgreSQL write differently: a time plus a duration, an hour bucket,
seconds between two times, and a UUID as the text `str(uuid)` gives (outbox keys are built with it)."""

from datetime import timedelta
from typing import Any

from sqlalchemy import ColumnElement, Interval, String, cast, func, literal
from sqlalchemy.orm import Session


def postgres(db: Session) -> bool:
    """Whether this session talks to PostgreSQL."""
    return db.get_bind().dialect.name == "postgresql"


def plus(db: Session, column: Any, delta: timedelta) -> ColumnElement[Any]:
    """`column + delta`, comparable with other time columns of the same database."""
    if postgres(db):
        return column + literal(delta, Interval())  # type: ignore[no-any-return]
    # SQLite stores 'YYYY-MM-DD HH:MM:SS.ffffff'; strftime's %f gives milliseconds, so pad to match.
    seconds = int(delta.total_seconds())
    return func.strftime("%Y-%m-%d %H:%M:%f", column, f"+{seconds} seconds").concat("000")


def hour(db: Session, column: Any) -> ColumnElement[Any]:
    """The UTC hour a time falls in: periods fold from hours into local days in Python (DST-proof)."""
    if postgres(db):
        return func.date_trunc("hour", func.timezone("UTC", column))
    return func.strftime("%Y-%m-%d %H:00:00", column)


def seconds_between(db: Session, later: Any, earlier: Any) -> ColumnElement[Any]:
    """Seconds from `earlier` to `later`."""
    if postgres(db):
        return func.extract("epoch", later - earlier)
    return (func.julianday(later) - func.julianday(earlier)) * 86400.0


def uuid_text(db: Session, column: Any) -> ColumnElement[Any]:
    """A UUID column as `str(uuid)` writes it (SQLite keeps UUIDs as 32 hex digits)."""
    if postgres(db):
        return cast(column, String)
    h = func.lower(column)
    parts = [func.substr(h, start, length) for start, length in ((1, 8), (9, 4), (13, 4), (17, 4), (21, 12))]
    text: ColumnElement[Any] = parts[0]
    for part in parts[1:]:
        text = text.concat(literal("-")).concat(part)
    return text
