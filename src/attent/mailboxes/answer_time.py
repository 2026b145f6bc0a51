"""When a customer who e-mailed will hear from us: the organisation's reply target for the case's priority,
counted in its business hours (the coach's `BusinessHours`: working days and the hours of a day).

The targets live in `organisations.settings["mail"]["reply_hours"]` (business hours per priority); the
defaults are the common ones of Dutch service teams: urgent within 1 hour, high 4, normal 8 (one
working day), low 16. The due time is rounded up to the next quarter of an hour, as a person says it.
"""

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from attent.cases import Priority
from attent.coach import service as coach

DEFAULT_REPLY_HOURS: dict[str, float] = {"urgent": 1, "high": 4, "normal": 8, "low": 16}
MAX_DAYS = 366  # an organisation without a single working day still gets an answer time


def reply_hours(settings: dict[str, Any], priority: Priority) -> float:
    """The organisation's reply target for one priority, in business hours."""
    stored = (settings.get("mail") or {}).get("reply_hours") or {}
    value = stored.get(priority.value, DEFAULT_REPLY_HOURS[priority.value])
    return (
        float(value) if isinstance(value, int | float) and value > 0 else DEFAULT_REPLY_HOURS[priority.value]
    )


def answer_by(*, settings: dict[str, Any], timezone: str, priority: Priority, at: datetime) -> datetime:
    """`at` plus the reply target, counted only in business hours, rounded up to a quarter of an hour."""
    hours = coach.business_hours(settings)  # the coach's reading of settings["coach"]["business_hours"]
    zone = ZoneInfo(timezone)
    left = timedelta(hours=reply_hours(settings, priority))
    moment = at.astimezone(zone)
    for _ in range(MAX_DAYS * 2):
        opens = moment.replace(hour=hours.start.hour, minute=hours.start.minute, second=0, microsecond=0)
        closes = moment.replace(hour=hours.end.hour, minute=hours.end.minute, second=0, microsecond=0)
        if moment.weekday() in hours.days and moment < closes:
            moment = max(moment, opens)
            if moment + left <= closes:
                return _quarter_up(moment + left)
            left -= closes - moment
        moment = (moment + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return _quarter_up(at + left)


def _quarter_up(moment: datetime) -> datetime:
    extra = (-moment.minute) % 15
    rounded = moment.replace(second=0, microsecond=0) + timedelta(minutes=extra)
    if extra == 0 and (moment.second or moment.microsecond):
        rounded += timedelta(minutes=15)
    return rounded
