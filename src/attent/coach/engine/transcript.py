"""A contact as the coach reads it: ordered lines with a speaker, text and (for phone and chat) a time."""

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

SPEAKERS = ("agent", "customer", "system")


@dataclass(frozen=True, slots=True)
class Line:
    """One turn: who spoke, what they said, and seconds since the contact started (None: unknown)."""

    speaker: str
    text: str
    t: float | None = None


@dataclass(frozen=True)
class Transcript:
    """The lines of one contact, the moment it started, and where (its time zone) it happened."""

    lines: tuple[Line, ...]
    started_at: datetime = field(default_factory=lambda: datetime(2000, 1, 1, tzinfo=UTC))
    timezone: str = "Europe/Amsterdam"
    channel: str | None = None

    def at(self, index: int) -> datetime:
        """The moment a line was said (the contact's start where the line has no time)."""
        t = self.lines[index].t
        return self.started_at + timedelta(seconds=t or 0)
