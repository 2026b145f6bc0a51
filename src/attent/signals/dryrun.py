"""A rule over past signals: which it would have acted on, with which actions, and what would have held
it back, without writing anything (only SELECTs run here)."""

import uuid
from collections import defaultdict
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from attent.customers import Customer
from attent.organisations import Organisation
from attent.signals.actions import quiet_until
from attent.signals.engine import Book, Compiled, Context, Facts, book_for, fact, matches, zone_of
from attent.signals.models import RuleFiring, Signal
from attent.signals.rules import find_rule
from attent.signals.schemas import DryRun, DryRunLine

MAX_SIGNALS = 5000


def dry_run(
    *, db: Session, organisation_id: uuid.UUID, rule: str | uuid.UUID, since: datetime, now: datetime
) -> DryRun:
    """What `rule` would have done for the signals since `since` (at most the newest 5,000)."""
    stored = find_rule(db=db, organisation_id=organisation_id, rule=rule)
    book = book_for(db=db, organisation_id=organisation_id)
    compiled = book.rules[stored.id]
    organisation = db.get(Organisation, organisation_id)
    assert organisation is not None
    signals = list(
        db.scalars(
            select(Signal)
            .where(
                Signal.organisation_id == organisation_id,
                Signal.type == compiled.signal_type,
                Signal.occurred_at >= since,
                Signal.occurred_at <= now,  # past signals only (one dated 9999 would overflow its delay)
                Signal.customer_id.is_not(None),
            )
            .order_by(Signal.occurred_at.desc())
            .limit(MAX_SIGNALS)
        )
    )[::-1]
    ids = {s.customer_id for s in signals}
    customers = {
        c.id: c
        for c in db.scalars(
            select(Customer).where(Customer.organisation_id == organisation_id, Customer.id.in_(ids))
        )
    }
    simulated: dict[uuid.UUID, list[datetime]] = defaultdict(list)
    context, lines = Context(db), []
    for signal in signals:
        assert signal.customer_id is not None
        line = _line(
            db, book, compiled, signal, customers[signal.customer_id], organisation, context, simulated, now
        )
        if line is not None:
            lines.append(line)
    return DryRun(
        rule_key=compiled.key,
        since=since,
        signals_seen=len(signals),
        would_fire=sum(1 for line in lines if line.outcome == "would_fire"),
        held=sum(1 for line in lines if line.outcome == "held"),
        lines=lines,
    )


def _line(
    db: Session,
    book: Book,
    rule: Compiled,
    signal: Signal,
    customer: Customer,
    organisation: Organisation,
    context: Context,
    simulated: dict[uuid.UUID, list[datetime]],
    now: datetime,
) -> DryRunLine | None:
    """One signal's outcome, or None when the rule's conditions do not hold for it."""
    at = signal.occurred_at + (rule.delay or timedelta(0))
    zone = zone_of(customer, organisation.timezone)
    facts = Facts.of(signal, book=book, customer=customer, zone=zone, now=at, context=context)
    if not matches(rule, facts):
        return None
    actions = [a.do for a in rule.actions]
    reason, outcome, waits = None, "would_fire", None
    if rule.consent_fact is not None and fact(customer, rule.consent_fact) is None:
        reason, outcome = "no_consent", "held"
    elif rule.contacts and _capped(db, book, customer, at, simulated[customer.id]):
        reason, outcome = "frequency_cap", "held"
    elif "send_message" in actions and (until := quiet_until(book.settings, zone, at)) is not None:
        reason, waits = f"quiet_hours: the message would wait until {until.isoformat()}", until
    if outcome == "would_fire" and rule.contacts:
        simulated[customer.id].append(at)
    return DryRunLine(
        signal_id=signal.id,
        signal_type=signal.type,
        occurred_at=signal.occurred_at,
        customer_id=customer.id,
        outcome=outcome,
        reason=reason,
        waits_until=waits,
        due_at=at if rule.delay else None,
        actions=actions if outcome == "would_fire" else [],
    )


def _capped(db: Session, book: Book, customer: Customer, at: datetime, simulated: list[datetime]) -> bool:
    cap = book.settings.frequency_cap
    window = at - timedelta(days=cap.days)
    real = db.scalars(
        select(RuleFiring.contacted_at).where(
            RuleFiring.organisation_id == customer.organisation_id,
            RuleFiring.customer_id == customer.id,
            RuleFiring.contacted_at > window,
            RuleFiring.contacted_at <= at,
        )
    )
    return len(list(real)) + sum(1 for t in simulated if window < t <= at) >= cap.max_contacts
