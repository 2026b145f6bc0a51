"""Business hours: when an organisation (or one of its teams) is open, and how long "8 business hours"
really takes, past evenings, weekends, the Dutch public holidays and the organisation's own closed days.

Stored in `organisations.settings["business_hours"]`, read whole, defaults until an admin sets them:

    {"week": [["09:00", "17:00"], …, null, null],      # Monday first; null: closed all day
     "public_holidays": "NL",                          # the country's holidays, or null for none
     "closed_days": ["2026-12-24", "2026-12-31"],       # the organisation's own closed days
     "open_days": ["2026-04-03"],                       # public holidays it works anyway (Goede Vrijdag)
     "teams": {"<team id>": {"week": […], "closed_days": […]}}}

A team with hours of its own uses its week instead of the organisation's, and its closed days besides the
organisation's (the public holidays stay the organisation's choice). An organisation that set nothing
yet keeps what it set for the coach before (`settings["coach"]["business_hours"]`: days, start, end).

The public holidays come from the maintained `holidays` library (python-holidays): Koningsdag moves to
the 26th when the 27th is a Sunday, Easter moves every year, and nobody here has to keep a table of it.
Time is counted in real elapsed time between opening and closing, so the day the clocks change has as
many business hours as any other day with the same opening hours.
"""

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

import holidays

KEY = "business_hours"
COUNTRIES = ("NL",)  # the countries whose public holidays an organisation can close on
DEFAULT_WEEK: tuple[tuple[time, time] | None, ...] = (*((time(9), time(17)),) * 5, None, None)
MAX_DAYS = 366 * 2  # an organisation that is never open still gets an answer (its target, counted plainly)
_LANGUAGES = {"nl": "nl", "en": "en_US"}


@lru_cache(maxsize=64)
def _holidays(country: str, year: int, language: str) -> dict[date, str]:
    found = holidays.country_holidays(country, years=year, language=_LANGUAGES.get(language, "nl"))
    return dict(found.items())


def public_holiday(country: str | None, day: date, language: str = "nl") -> str | None:
    """The name of the public holiday on `day` in `country` (in the reader's language), or None."""
    if not country:
        return None
    return _holidays(country, day.year, language).get(day)


@dataclass(frozen=True)
class OpeningHours:
    """When one organisation or team is open: a week of opening hours and the days it is closed."""

    zone: ZoneInfo
    week: tuple[tuple[time, time] | None, ...] = DEFAULT_WEEK
    public_holidays: str | None = "NL"
    closed_days: frozenset[date] = frozenset()
    open_days: frozenset[date] = frozenset()  # public holidays worked anyway, with the weekday's hours

    def span(self, day: date) -> tuple[datetime, datetime] | None:
        """When it opens and closes on `day`, in UTC; None when it is closed all day."""
        hours = self.week[day.weekday()]
        if hours is None or day in self.closed_days:
            return None
        if day not in self.open_days and public_holiday(self.public_holidays, day):
            return None
        opens, closes = (datetime.combine(day, t, tzinfo=self.zone).astimezone(UTC) for t in hours)
        return opens, closes

    def is_open(self, at: datetime) -> bool:
        """Whether `at` is within business hours."""
        span = self.span(at.astimezone(self.zone).date())
        return span is not None and span[0] <= at < span[1]

    def add(self, at: datetime, duration: timedelta) -> datetime:
        """`at` plus `duration` counted only while open (8 business hours from Friday 16:00: Monday 15:00)."""
        left, moment = duration, at.astimezone(UTC)
        day = at.astimezone(self.zone).date()
        for _ in range(MAX_DAYS):
            span = self.span(day)
            if span is not None and moment < span[1]:
                start = max(moment, span[0])
                if start + left <= span[1]:
                    return start + left
                left -= span[1] - start
                moment = span[1]
            day += timedelta(days=1)
        return at + duration


def _time(value: Any) -> time:
    return value if isinstance(value, time) else time.fromisoformat(str(value))


def _week(stored: Any) -> tuple[tuple[time, time] | None, ...] | None:
    if not isinstance(stored, list) or len(stored) != 7:
        return None
    return tuple(None if not pair else (_time(pair[0]), _time(pair[1])) for pair in stored)


def _days(stored: Any) -> frozenset[date]:
    return frozenset(date.fromisoformat(str(d)) for d in stored or [])


def _legacy_week(settings: dict[str, Any]) -> tuple[tuple[time, time] | None, ...]:
    """The hours an organisation set for the coach before business hours had a place of their own."""
    coach = (settings.get("coach") or {}).get("business_hours") or {}
    if not coach:
        return DEFAULT_WEEK
    days = set(coach.get("days", range(5)))
    hours = (_time(coach.get("start", "09:00")), _time(coach.get("end", "17:00")))
    return tuple(hours if weekday in days else None for weekday in range(7))


def opening_hours(settings: dict[str, Any], timezone: str, team_id: uuid.UUID | None = None) -> OpeningHours:
    """The organisation's opening hours (its `settings` and zone), or a team's where it has its own."""
    stored = settings.get(KEY) or {}
    week = _week(stored.get("week")) or _legacy_week(settings)
    closed = _days(stored.get("closed_days"))
    team = (stored.get("teams") or {}).get(str(team_id)) if team_id is not None else None
    if team:
        week = _week(team.get("week")) or week
        closed |= _days(team.get("closed_days"))
    country = stored.get("public_holidays", "NL")
    return OpeningHours(
        zone=ZoneInfo(timezone),
        week=week,
        public_holidays=country if country in COUNTRIES else None,
        closed_days=closed,
        open_days=_days(stored.get("open_days")),
    )


def stored_week(week: tuple[tuple[time, time] | None, ...]) -> list[list[str] | None]:
    """A week as settings store it."""
    return [None if pair is None else [t.strftime("%H:%M") for t in pair] for pair in week]
