"""Moments: the one type for every date and time a person or another system sends us.

A time without a zone is ambiguous (which 09:00?) and compares with nothing we store, so it is refused.
A time far outside the life of this software is a typo or a probe, and a danger downstream: one signal
dated 9999-12-30 plus a rule's "3d after" overflowed Python's datetime and stopped the worker. Every
time that comes in must lie between 1970-01-01 and 2100-01-01 (UTC); every duration that is added to
one is bounded (a rule's delay at most a year, warning and grace times at most days), so sums stay far
below year 9999 even at the window's edge. Calendar days (a birthday, a stay's departure day) may lie
further back: people were born before 1970.
"""

import re
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field
from pydantic_core import PydanticCustomError

from attent.core.labels import N_

EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)
FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(2100, 1, 1)
NAIVE = N_("A time needs its timezone, e.g. 2026-11-23T14:00:00+01:00 or 2026-11-23T13:00:00Z.")
OUTSIDE = N_("Give a time between 1970-01-01 and 2100-01-01 (UTC).")
OUTSIDE_DAY = N_("Give a date between 1900-01-01 and 2100-01-01.")
NOT_ISO = N_("Give a date and time as written in ISO 8601, e.g. 2026-11-23T14:00:00+01:00.")
_ISO_START = re.compile(r"\d{4}-\d{2}-\d{2}")


def written_as_a_time(value: Any) -> Any:
    """Refuse numbers ("0.5" would be read as seconds since 1970): a time is sent as ISO 8601 text."""
    if isinstance(value, int | float) or (isinstance(value, str) and not _ISO_START.match(value.strip())):
        raise PydanticCustomError("moment_not_iso", NOT_ISO)
    return value


def within(value: datetime) -> bool:
    """Whether an aware time lies in the window (no arithmetic on years that could overflow)."""
    if not EARLIEST.year - 1 <= value.year <= LATEST.year:
        return False
    return EARLIEST <= value.astimezone(UTC) <= LATEST


def check_moment(value: datetime) -> datetime:
    """The value when it is aware and inside the window; otherwise an error that says what to send."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise PydanticCustomError("moment_naive", NAIVE)
    if not within(value):
        raise PydanticCustomError("moment_outside", OUTSIDE)
    return value


def check_day(value: date) -> date:
    """A calendar day inside its (wider) window."""
    if not FIRST_DAY <= value <= LAST_DAY:
        raise PydanticCustomError("day_outside", OUTSIDE_DAY)
    return value


Moment = Annotated[
    datetime,
    BeforeValidator(written_as_a_time),
    AfterValidator(check_moment),
    Field(json_schema_extra={"description": "With its zone; between 1970-01-01 and 2100-01-01 (UTC)."}),
]
"""A timezone-aware datetime between 1970 and 2100: use it for every datetime a request carries."""

Day = Annotated[date, AfterValidator(check_day)]
"""A calendar day between 1900 and 2100."""


def moment(value: datetime) -> datetime:
    """`check_moment` for code that parses a time itself (signal attributes): ValueError when refused."""
    try:
        return check_moment(value)
    except PydanticCustomError as exc:
        raise ValueError(exc.message()) from None


def day(value: date) -> date:
    """`check_day` for code that parses a day itself: ValueError when refused."""
    try:
        return check_day(value)
    except PydanticCustomError as exc:
        raise ValueError(exc.message()) from None


def later(value: datetime, delta: timedelta) -> datetime:
    """`value + delta`, or ValueError naming the time when the sum leaves what datetime can hold.

    Input inside the window plus a bounded duration never gets here; a row stored before the window
    was enforced can, and then this names the culprit instead of a bare OverflowError."""
    try:
        return value + delta
    except OverflowError:
        raise ValueError(f"{value.isoformat()} plus {delta} is beyond the year 9999") from None
