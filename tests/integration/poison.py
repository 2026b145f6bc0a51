"""Rows and rules the worker-isolation tests share: a signal that poisons its step, and healthy work."""

import uuid
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlalchemy.orm import Session

from attent.signals.models import Signal
from tests.conftest import Api
from tests.integration.rulebooks import document

AFTER_DELIVERY = {
    "key": "after-delivery",
    "name": "Three days after delivery: all well?",
    "when": {"signal": "order.delivered", "after": "3d"},
    "then": [{"do": "open_case", "subject": "Alles goed aangekomen?"}],
}
ON_DELIVERY = AFTER_DELIVERY | {"key": "on-delivery", "when": {"signal": "order.delivered"}}


def signal(admin: Api, external_id: str) -> uuid.UUID:
    body = {
        "type": "order.delivered",
        "customer_ref": {"system": "shop", "value": "C-1042"},
        "occurred_at": "2026-11-23T08:30:00+01:00",
        "attributes": {"order_id": external_id},
        "external_id": external_id,
    }
    response = admin.post("/api/v1/signals", json=body)
    assert response.status_code == 202, response.text
    return uuid.UUID(response.json()["items"][0]["id"])


def rules(admin: Api, *rules) -> None:
    response = admin.put("/api/v1/rules", json=document(*rules))
    assert response.status_code == 200, response.text


def callback(api: Api, case_id, due_at) -> uuid.UUID:
    response = api.post(
        f"/api/v1/cases/{case_id}/promises", json={"kind": "callback", "due_at": due_at.isoformat()}
    )
    assert response.status_code == 201, response.text
    return uuid.UUID(response.json()["id"])


def ended_call(api: Api, case_id, at) -> uuid.UUID:
    start = (at - timedelta(minutes=3)).isoformat()
    body = {
        "channel": "phone",
        "started_at": start,
        "ended_at": at.isoformat(),
        "outcome": "resolved",
        "messages": [
            {"speaker": "customer", "text": "Mijn pakket is niet gekomen.", "at": start},
            {"speaker": "agent", "text": "Ik zoek het nu op, dat duurt twee minuten.", "at": at.isoformat()},
        ],
    }
    response = api.post(f"/api/v1/cases/{case_id}/contacts", json=body)
    assert response.status_code == 201, response.text
    return uuid.UUID(response.json()["id"])


def poison(db: Session, signal_id: uuid.UUID, now: datetime) -> None:
    """Date a stored signal 9999-12-30, as one stored before dates were checked (or written by hand):
    three days later is past what a datetime can hold."""
    db.execute(
        update(Signal)
        .where(Signal.id == signal_id)
        .values(occurred_at=now.replace(year=9999, month=12, day=30))
    )
    db.commit()
