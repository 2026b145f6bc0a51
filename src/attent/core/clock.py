"""The injectable clock: services take `at`, tests move time without sleeping."""

from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    """Anything that can tell the current UTC time."""

    def now(self) -> datetime:
        """The current time, timezone-aware, in UTC."""
        ...


class SystemClock:
    """The wall clock."""

    def now(self) -> datetime:
        """The current time from the operating system."""
        return datetime.now(UTC)


class FrozenClock:
    """A clock that moves only when told to; for tests and dry runs."""

    def __init__(self, at: datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("FrozenClock needs a timezone-aware datetime")
        self._at = at.astimezone(UTC)

    def now(self) -> datetime:
        """The frozen time."""
        return self._at

    def advance(self, delta: timedelta) -> datetime:
        """Move time forward and return the new now."""
        self._at += delta
        return self._at

    def set(self, at: datetime) -> None:
        """Jump to a given moment."""
        self._at = at.astimezone(UTC)
