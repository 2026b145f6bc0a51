"""The organisation's coach settings in `organisations.settings["coach"]`: business hours and auto-promises.

Small, read whole, defaults until an admin sets them, like the verification policy beside it.
"""

from datetime import time
from typing import Any

from attent.coach.engine import BusinessHours, load_rules
from attent.organisations.service import opening_hours

HOURS_KEY = "business_hours"  # the organisation's own (organisations.hours), set on /admin/business-hours

SETTINGS_KEY = "coach"


def business_hours(settings: dict[str, Any]) -> BusinessHours:
    """The organisation's business hours (`organisations.hours`) as the coach reads them: its open weekdays,
    from the earliest opening to the latest closing; before those were set, what the coach was given,
    `{"business_hours": {"days": [0, 1, 2, 3, 4], "start": "09:00", "end": "17:00"}}`, or defaults."""
    if (settings.get(HOURS_KEY) or {}).get("week"):
        week = opening_hours(settings, "UTC").week
        spans = [(day, span) for day, span in enumerate(week) if span is not None]
        if spans:
            return BusinessHours(
                days=tuple(day for day, _ in spans),
                start=min(span[0] for _, span in spans),
                end=max(span[1] for _, span in spans),
            )
    rules = load_rules()
    stored = (settings.get(SETTINGS_KEY) or {}).get("business_hours") or {}
    return BusinessHours(
        days=tuple(stored.get("days", rules.business_days)),
        start=time.fromisoformat(stored["start"]) if "start" in stored else rules.business_start,
        end=time.fromisoformat(stored["end"]) if "end" in stored else rules.business_end,
    )


def auto_promises(settings: dict[str, Any]) -> bool:
    """Whether promises heard in a contact are made at once instead of proposed to the agent."""
    return bool((settings.get(SETTINGS_KEY) or {}).get("auto_promises", False))
