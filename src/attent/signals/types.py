"""Signal types: the known set and organisation-defined ones, each with the attributes rules may test."""

import re
from datetime import date, datetime
from typing import Any, Literal

from attent.core.errors import BadValue
from attent.core.moments import day, moment

Kind = Literal["string", "number", "integer", "boolean", "datetime", "date"]
KINDS: tuple[str, ...] = ("string", "number", "integer", "boolean", "datetime", "date")
TYPE_NAME = r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$"
ATTRIBUTE_NAME = r"^[a-z][a-z0-9_]{0,59}$"
_TYPE = re.compile(TYPE_NAME)

# What other systems tell us about, with the attributes a rule may put conditions on.
KNOWN: dict[str, dict[str, Kind]] = {
    "order.shipped": {"order_id": "string", "carrier": "string", "expected_at": "datetime"},
    "order.delivered": {"order_id": "string", "delivered_at": "datetime"},
    "delivery.failed": {"order_id": "string", "reason": "string", "attempt": "integer"},
    "delivery.late": {
        "order_id": "string",
        "expected_at": "datetime",
        "new_expected_at": "datetime",
        "delay_hours": "number",
    },
    "booking.arriving": {
        "booking_id": "string",
        "arrives_at": "datetime",
        "departs_on": "date",
        "guests": "integer",
    },
    "booking.checked_out": {"booking_id": "string", "checked_out_at": "datetime"},
    "customer.birthday": {"birthday": "date"},
    # Raised by Attent itself, not by another system: a survey answered with a low score.
    "survey.scored_low": {
        "csat": "integer",
        "ces": "integer",
        "commented": "boolean",
        "case_id": "string",
        "case_type": "string",
    },
}
# Signal types about one of the customer's cases (its id in the `case_id` attribute): a rule on them acts
# on that case, so it may make a promise or send a message without opening a case first.
ON_CASE = {"survey.scored_low"}
# Signal types whose very meaning is a consented fact: rules on them need the customer's consent.
CONSENT_TYPES = {"customer.birthday": "birthday"}


def is_type_name(name: str) -> bool:
    """Whether `name` is written like a signal type ('order.shipped')."""
    return bool(_TYPE.match(name))


def parse_value(kind: str, raw: Any) -> Any:
    """An attribute's value as its kind, or ValueError saying what was expected."""
    if kind == "string":
        if isinstance(raw, str):
            return raw
        raise ValueError("Expected a string.")
    if kind == "boolean":
        if isinstance(raw, bool):
            return raw
        raise ValueError("Expected true or false.")
    if kind == "integer":
        if isinstance(raw, int) and not isinstance(raw, bool):
            return raw
        raise ValueError("Expected a whole number.")
    if kind == "number":
        if isinstance(raw, int | float) and not isinstance(raw, bool):
            return float(raw)
        raise ValueError("Expected a number.")
    if kind == "datetime":
        return parse_datetime(raw)
    if kind == "date":
        return parse_date(raw)
    raise BadValue("Unknown kind “{kind}”.", kind=kind)


def parse_datetime(raw: Any) -> datetime:
    """An ISO 8601 time with its zone (a time without one is ambiguous across DST)."""
    if not isinstance(raw, str):
        raise ValueError("Expected an ISO 8601 date-time such as 2026-11-23T21:30:00+01:00.")
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        raise ValueError("Expected an ISO 8601 date-time such as 2026-11-23T21:30:00+01:00.") from None
    if value.tzinfo is None:
        raise ValueError("The date-time needs a time zone, e.g. +01:00 or Z.")
    return moment(value)


def parse_date(raw: Any) -> date:
    """An ISO 8601 date; a date-time is cut to its date."""
    if not isinstance(raw, str):
        raise ValueError("Expected an ISO 8601 date such as 2026-11-23.")
    try:
        value = date.fromisoformat(raw[:10])
    except ValueError:
        raise ValueError("Expected an ISO 8601 date such as 2026-11-23.") from None
    return day(value)
