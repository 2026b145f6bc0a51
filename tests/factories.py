"""What tests make again and again, made one way: through the API as an integrator would, or through the
services where a test needs rows at a given time without a request.

A factory asserts that the making worked, so a test that fails on its setup says so at the line that
made it, not three assertions later.
"""

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from attent.agents import Agent
from attent.cases import Case
from attent.cases.schemas import CaseCreate
from attent.cases.service import create_case
from attent.contacts.models import Channel, Direction, Speaker
from attent.contacts.schemas import ContactCreate, MessageIn
from attent.contacts.service import log_contact
from attent.core.clock import FrozenClock
from attent.promises.models import Promise, PromiseKind
from attent.promises.schemas import PromiseCreate
from attent.promises.service import make_promise


def iso(at: datetime) -> str:
    """A time as the API writes it: ISO 8601 with `Z` for UTC."""
    return at.isoformat().replace("+00:00", "Z")


def promise(api: Any, case_id: object, *, due: datetime | None = None, **body: Any) -> dict[str, Any]:
    """Make a promise through the API; `due` is a shorthand for an ISO `due_at`."""
    if due is not None:
        body["due_at"] = iso(due)
    response = api.post(f"/api/v1/cases/{case_id}/promises", json=body)
    assert response.status_code == 201, response.text
    return response.json()


def contact(api: Any, case_id: object, **body: Any) -> dict[str, Any]:
    """Log a contact through the API, as the body says."""
    response = api.post(f"/api/v1/cases/{case_id}/contacts", json=body)
    assert response.status_code == 201, response.text
    return response.json()


def call(
    api: Any,
    case_id: object,
    clock: FrozenClock,
    lines: Iterable[tuple[str, str]],
    *,
    outcome: str = "follow_up",
    minutes: int = 5,
) -> dict[str, Any]:
    """A phone call that started now, lasted `minutes`, with (speaker, text) lines 20 seconds apart;
    the clock then stands a minute past its end, as it would when the next thing happens."""
    start = clock.now()
    made = contact(
        api,
        case_id,
        channel="phone",
        started_at=iso(start),
        ended_at=iso(start + timedelta(minutes=minutes)),
        outcome=outcome,
        messages=[
            {"speaker": speaker, "text": text, "at": iso(start + timedelta(seconds=20 * i))}
            for i, (speaker, text) in enumerate(lines)
        ],
    )
    clock.advance(timedelta(minutes=minutes + 1))
    return made


def case(api: Any, tenant: Any, subject: str = "Een vraag", **body: Any) -> dict[str, Any]:
    """Open a case through the API for the tenant's customer, in the tenant's team unless told."""
    made = {"customer_id": str(tenant.customer.id), "subject": subject, "team_id": str(tenant.team_id)}
    response = api.post("/api/v1/cases", json={**made, **body})
    assert response.status_code == 201, response.text
    return response.json()


def events(api: Any, case_id: object, prefix: str = "") -> list[dict[str, Any]]:
    """The case's timeline events whose kind starts with `prefix`, oldest first."""
    response = api.get(f"/api/v1/cases/{case_id}/timeline")
    assert response.status_code == 200, response.text
    return [e for e in response.json()["items"] if e["kind"].startswith(prefix)]


def case_row(
    db: Session,
    tenant: Any,
    clock: FrozenClock,
    subject: str,
    *,
    actor: Agent | None = None,
    owner: Agent | None = None,
    team: object = None,
    type: str = "general",
    customer: object = None,
) -> Case:
    """Open a case now through the service, by default as the tenant's agent for its customer."""
    data = CaseCreate(
        customer_id=customer or tenant.customer.id,
        subject=subject,
        type=type,
        owner_id=owner.id if owner else None,
        team_id=team,
    )
    return create_case(db=db, actor=actor or tenant.agent, data=data, at=clock.now())


def said(db: Session, actor: Agent, case: Case, speaker: Speaker, at: datetime) -> None:
    """One inbound e-mail line on the case at `at` (an outbound contact would keep its call-backs)."""
    data = ContactCreate(
        channel=Channel.EMAIL,
        direction=Direction.INBOUND,
        started_at=at,
        messages=[MessageIn(speaker=speaker, text=f"{speaker.value} wrote", at=at)],
    )
    log_contact(db=db, actor=actor, case_id=case.id, data=data, at=at)


def promise_row(
    db: Session,
    actor: Agent,
    case: Case,
    kind: PromiseKind,
    due: datetime,
    at: datetime,
    words: str | None = None,
) -> Promise:
    """A promise made at `at` through the service, due at `due`."""
    data = PromiseCreate(kind=kind, due_at=due, words=words)
    return make_promise(db=db, actor=actor, case_id=case.id, data=data, at=at)
