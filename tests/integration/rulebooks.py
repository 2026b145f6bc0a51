"""Rules documents the signal and rule tests share."""

from typing import Any

FAILED_DELIVERY: dict[str, Any] = {
    "key": "failed-delivery",
    "name": "Failed delivery: tell them before they call",
    "when": {"signal": "delivery.failed"},
    "if": [{"field": "signal.attempt", "op": "gte", "value": 1}],
    "then": [
        {
            "do": "open_case",
            "subject": "Bezorging mislukt",
            "note": "Check with the carrier.",
            "priority": "high",
        },
        {
            "do": "make_promise",
            "kind": "follow_up",
            "due_in": "4h",
            "words": "We laten u vandaag weten wanneer",
        },
        {"do": "send_message", "template": "delivery_failed"},
    ],
}

LATE_ARRIVAL: dict[str, Any] = {
    "key": "late-arrival",
    "name": "Dinner waiting for late arrivals",
    "when": {"signal": "booking.arriving"},
    "if": [{"field": "signal.arrives_at", "op": "local_time_after", "value": "21:00"}],
    "then": [{"do": "open_case", "subject": "Late arrival: dinner ready", "note": "Prepare a meal."}],
}


def document(*rules: dict[str, Any], **settings: Any) -> dict[str, Any]:
    """A document with these rules and (optionally) guard-rail settings."""
    return {"settings": settings, "rules": list(rules)}
