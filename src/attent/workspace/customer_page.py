"""The customer page: who they are, what they consented to share, their cases and our promises to them."""

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from attent.agents import Agent, CurrentAgent
from attent.cases.service import count_customer_cases, list_cases
from attent.core import access
from attent.core.clock import Clock
from attent.core.deps import ClockDep, DbSession
from attent.core.templating import render
from attent.customers import Customer, CustomerMerged, Hidden
from attent.customers.service import get_customer, hidden_details, merge_candidates, read_customers
from attent.insight import service as insight
from attent.organisations.service import get_organisation
from attent.promises import Promise, PromiseState
from attent.promises.service import list_promises
from attent.recovery import service as recovery
from attent.timeline.service import customer_events

router = APIRouter(include_in_schema=False)
MAX_ROWS = 200


@dataclass(frozen=True)
class FactLine:
    """A consented fact as the page shows it."""

    key: str
    value: str
    consent: str
    recorded_at: datetime | None


def _facts(facts: dict[str, Any]) -> list[FactLine]:
    """Stored facts are {key: {value, consent, recorded_at}}; anything older shows as its plain value."""
    lines = []
    for key, fact in sorted(facts.items()):
        if isinstance(fact, dict):
            recorded = fact.get("recorded_at")
            at = datetime.fromisoformat(recorded) if isinstance(recorded, str) else None
            lines.append(FactLine(key, str(fact.get("value", "")), str(fact.get("consent", "")), at))
        else:
            lines.append(FactLine(key, str(fact), "", None))
    return lines


def _promise_order(promise: Promise) -> tuple[bool, float]:
    """Open promises first, soonest due first; then the rest, most recent due time first."""
    due = promise.due_by.timestamp()
    return (promise.state is not PromiseState.OPEN, due if promise.state is PromiseState.OPEN else -due)


def _merges(db: Session, customer: Customer, hidden: Hidden) -> list[tuple[datetime, str]]:
    """The customers merged into this one, as they were known, their details masked as the page masks."""
    events = customer_events(
        db=db, organisation_id=customer.organisation_id, customer_id=customer.id, kinds=[CustomerMerged.name]
    )
    lines = []
    for event in events:
        merged = CustomerMerged.of(event)
        details = (merged.known_as, hidden.email(merged.email or None), hidden.phone(merged.phone or None))
        lines.append((event.at, " · ".join(d for d in details if d)))
    return lines


@router.get("/customers/{customer_id}")
def customer_page(
    customer_id: uuid.UUID, request: Request, db: DbSession, actor: CurrentAgent, clock: ClockDep
) -> Response:
    """What an agent needs before calling a customer back; cases the agent may not open are only counted."""
    pointer = get_customer(db=db, actor=actor, customer_id=customer_id).merged_into_id
    if pointer is not None:  # merged: a link to it lands on the customer it was merged into
        return RedirectResponse(f"/customers/{pointer}", status_code=303)
    return customer_view(request, db=db, actor=actor, clock=clock, customer_id=customer_id)


def customer_view(
    request: Request,
    *,
    db: Session,
    actor: Agent,
    clock: Clock,
    customer_id: uuid.UUID,
    status_code: int = 200,
    **extra: Any,
) -> HTMLResponse:
    """Everything the customer page shows; its edit form draws it again with its refusal."""
    customer = get_customer(db=db, actor=actor, customer_id=customer_id)
    access.seen(
        request, organisation_id=actor.organisation_id, agent_id=actor.id, subject=access.Subject.CUSTOMER,
        subject_id=customer.id, customer_id=customer.id, at=clock.now(),
    )  # fmt: skip
    hidden = hidden_details(db=db, organisation_id=customer.organisation_id)
    cases, _ = list_cases(db=db, actor=actor, customer_id=customer.id, limit=MAX_ROWS)
    promises = list_promises(
        db=db, actor=actor, customer_id=customer.id, states=list(PromiseState), limit=MAX_ROWS
    )
    org = get_organisation(db=db, organisation_id=actor.organisation_id)
    return render(
        request,
        "customer.html",
        status_code=status_code,
        agent=actor,
        customer=read_customers(db=db, customers=[customer])[0],
        hidden=hidden,
        facts=_facts(hidden.facts(customer.facts)),
        cases=cases,
        unseen=count_customer_cases(db=db, actor=actor, customer_id=customer.id) - len(cases),
        subjects={c.id: c.subject for c in cases},
        promises=sorted(promises, key=_promise_order),
        gestures=recovery.customer_gestures(db=db, actor=actor, customer_id=customer.id),
        surveys=insight.customer_surveys(db=db, actor=actor, customer_id=customer.id),
        merges=_merges(db, customer, hidden),
        merge_candidates=merge_candidates(db=db, actor=actor, customer=customer),
        now=clock.now(),
        tz=org.timezone,
        page_url=f"/customers/{customer.id}",
        **extra,
    )
