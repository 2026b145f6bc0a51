"""Turning the time words of one clause into a due moment, in the organisation's zone and business hours.

The conventions are the corpus README's: a duration counts from the line's own time (the upper end of a
range); a clock time falls on the named day, else today if still ahead, else tomorrow; a day without a
clock time ends when business ends (17:00 by default), a morning at 12:00, an evening at 21:00; N
business days end on the Nth business day after the line's day; "next week" is the last business day of
next week.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from attent.coach.engine.timewords import Bit


@dataclass(frozen=True)
class BusinessHours:
    """When the organisation works: weekdays (Monday = 0) and the hours of a working day."""

    days: tuple[int, ...] = (0, 1, 2, 3, 4)
    start: time = time(9, 0)
    end: time = time(17, 0)


def _add_business_days(day: date, n: int, hours: BusinessHours) -> date:
    count = 0
    while count < n:
        day += timedelta(days=1)
        if day.weekday() in hours.days:
            count += 1
    return day


def _last_business_day_of_week(day: date, hours: BusinessHours) -> date:
    monday = day - timedelta(days=day.weekday())
    workdays = [d for d in hours.days if 0 <= d <= 6] or [4]
    return monday + timedelta(days=max(workdays))


def _date_ahead(today: date, month: int | None, dom: int, weekday: int | None, past_days: int) -> date | None:
    """The day a date names: this year's if still ahead; one up to half a year back is the past ("the invoice
    of 17 February"), not next year. Without a month, the first month ahead that has the day (on the weekday
    named with it: "Friday the sixth")."""
    if month is not None:
        try:
            day = date(today.year, month, dom)
        except ValueError:
            return None
        if day >= today:
            return day
        return None if (today - day).days <= past_days else date(today.year + 1, month, dom)
    year, month = today.year, today.month
    for _ in range(12):
        try:
            ahead = date(year, month, dom)
        except ValueError:
            ahead = today - timedelta(days=1)  # the month has no such day
        if ahead >= today and (weekday is None or ahead.weekday() == weekday):
            return ahead
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return None


def _hour_24(hour: int, minute: int, ampm: str | None, part: int | None) -> tuple[int, int]:
    ap = (ampm or "").replace(".", "")
    if ap == "pm" and hour < 12:
        hour += 12
    elif ap == "am" and hour == 12:
        hour = 0
    elif ap not in ("am",) and hour <= 6:
        hour += 12  # nobody promises a call at 3 in the night: "om 3 uur" is 15:00
    elif part is not None and part >= 17 and hour < 12:
        hour += 12
    return hour % 24, minute


def resolve(
    bits: list[Bit], said_at: datetime, zone: str, hours: BusinessHours, past_days: int
) -> datetime | None:
    """The due moment the clause's time words point at, or None when they point at none; a date without a
    year up to `past_days` back is in the past (the rule book's `[promises]`), so it points at none."""
    if not bits:
        return None
    tz = ZoneInfo(zone)
    local = said_at.astimezone(tz)
    by_kind: dict[str, Bit] = {}
    for bit in bits:
        by_kind.setdefault(bit.kind, bit)
    if "weekday" in by_kind and "day" in by_kind:  # "tomorrow, Wednesday": the weekday says it
        del by_kind["day"]
    clock, part = by_kind.get("clock"), by_kind.get("part")
    end = hours.end

    def on(day: date, at: time) -> datetime:
        return datetime.combine(day, at, tzinfo=tz)

    def at_time_of(day: date) -> datetime:
        if clock is not None:
            h, m = _hour_24(clock.value[0], clock.value[1], clock.value[2], part.value if part else None)
            return on(day, time(h, m))
        if part is not None:
            return on(day, time(part.value % 24, 0))
        return on(day, end)

    day: date | None = None
    if "date" in by_kind:
        month, dom = by_kind["date"].value
        weekday = by_kind["weekday"].value if "weekday" in by_kind else None
        day = _date_ahead(local.date(), month, dom, weekday, past_days)
        if day is None:
            return None
    elif "weekday" in by_kind:
        wanted = by_kind["weekday"].value
        ahead = (wanted - local.weekday()) % 7 or 7
        if "next_week" in by_kind:
            monday = local.date() - timedelta(days=local.weekday()) + timedelta(days=7)
            day = monday + timedelta(days=wanted)
        else:
            day = local.date() + timedelta(days=ahead)
    elif "day" in by_kind:
        day = local.date() + timedelta(days=by_kind["day"].value)
    if day is not None:
        return at_time_of(day)
    if "business_days" in by_kind:
        n = int(-(-by_kind["business_days"].value // 1))
        return on(_add_business_days(local.date(), n, hours), end)
    if "duration" in by_kind and clock is None:
        return local + timedelta(minutes=by_kind["duration"].value)
    if "next_week" in by_kind:
        return on(_last_business_day_of_week(local.date() + timedelta(days=7), hours), end)
    if "this_week" in by_kind:
        return on(_last_business_day_of_week(local.date(), hours), end)
    if clock is not None or part is not None:
        today = at_time_of(local.date())
        return today if today > local else at_time_of(local.date() + timedelta(days=1))
    return None
