"""When a customer who e-mailed will hear from us: the organisation's reply target for the case's priority,
counted in its business hours (`organisations.hours`: opening hours per weekday, the Dutch public holidays,
closed days; a team's own where it has them).

The targets live in `organisations.settings["mail"]["reply_hours"]` (business hours per priority); the
defaults are the common ones of Dutch service teams: urgent within 1 hour, high 4, normal 8 (one
working day), low 16. The due time is rounded up to the next quarter of an hour, as a person says it.
"""

import uuid
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from attent.cases import Priority
from attent.organisations.service import opening_hours

DEFAULT_REPLY_HOURS: dict[str, float] = {"urgent": 1, "high": 4, "normal": 8, "low": 16}


def reply_hours(settings: dict[str, Any], priority: Priority) -> float:
    """The organisation's reply target for one priority, in business hours."""
    stored = (settings.get("mail") or {}).get("reply_hours") or {}
    value = stored.get(priority.value, DEFAULT_REPLY_HOURS[priority.value])
    return (
        float(value) if isinstance(value, int | float) and value > 0 else DEFAULT_REPLY_HOURS[priority.value]
    )


def answer_by(
    *,
    settings: dict[str, Any],
    timezone: str,
    priority: Priority,
    at: datetime,
    team_id: uuid.UUID | None = None,
) -> datetime:
    """`at` plus the reply target, counted only in the business hours of the case's team (or the
    organisation's): closed evenings, weekends, public holidays and closed days are skipped. Rounded up
    to a quarter of an hour, in the organisation's zone."""
    hours = opening_hours(settings, timezone, team_id)
    due = hours.add(at, timedelta(hours=reply_hours(settings, priority)))
    return _quarter_up(due.astimezone(ZoneInfo(timezone)))


def _quarter_up(moment: datetime) -> datetime:
    extra = (-moment.minute) % 15
    rounded = moment.replace(second=0, microsecond=0) + timedelta(minutes=extra)
    if extra == 0 and (moment.second or moment.microsecond):
        rounded += timedelta(minutes=15)
    return rounded
