"""What the worker does with signals: evaluate new ones against the rules, run delayed firings, and
deliver outbound webhooks.

Signals are claimed in batches with FOR UPDATE SKIP LOCKED (PostgreSQL), so several workers share
them and none is evaluated twice. A batch's firings, the rows its actions wrote (cases, promises,
outbox messages, webhook jobs) and the signals' 'evaluated' mark commit in one transaction: a
worker killed mid-batch leaves the whole batch to the next worker, and the unique (rule, signal)
firing makes a second run of the same pair impossible rather than unlikely. A batch that fails is
done again signal by signal (firing by firing), and one that keeps failing is set aside
(`attent.core.setaside`) instead of stopping every organisation's signals.
"""

import hashlib
import hmac
import json
import uuid
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Row, select, update
from sqlalchemy.orm import Session

from attent.cases import Case
from attent.core.db import Database, insert_many
from attent.core.ids import uuid7
from attent.core.moments import later
from attent.core.queue import Job
from attent.core.setaside import do_claimed
from attent.core.settings import Settings, get_settings
from attent.customers import Customer
from attent.organisations import Organisation
from attent.signals.actions import Outcome, Run, SignalView, execute, quiet_until
from attent.signals.engine import Book, Compiled, Context, Facts, book_for, matches, zone_of
from attent.signals.models import FiringState, RuleFiring, Signal, SignalState
from attent.signals.outbound import check_destination, post
from attent.signals.sources import outbound_secret
from attent.signals.types import ON_CASE

BATCH = 1000
FIRING_BATCH = 200
_COLUMNS = (
    Signal.organisation_id,
    Signal.id,
    Signal.type,
    Signal.source,
    Signal.external_id,
    Signal.customer_id,
    Signal.occurred_at,
    Signal.attributes,
)


def evaluate_signals(
    *, database: Database, now: datetime, limit: int = BATCH, settings: Settings | None = None
) -> int:
    """Evaluate one batch of new signals against their organisations' rules; returns how many."""
    query = select(*_COLUMNS).where(Signal.evaluate_at <= now).order_by(Signal.evaluate_at).limit(limit)
    return sum(
        do_claimed(
            database=database,
            kind="signal",
            query=query,
            work=lambda db, batch: _evaluate_batch(db, batch, now),
            now=now,
        )
    )


def _evaluate_batch(db: Session, batch: Sequence[Row[Any]], now: datetime) -> int:
    by_org: dict[uuid.UUID, list[Row[Any]]] = defaultdict(list)
    for row in batch:
        by_org[row.organisation_id].append(row)
    for organisation_id, rows in by_org.items():
        _evaluate(db, organisation_id, rows, now)
        db.execute(
            update(Signal)
            .where(Signal.organisation_id == organisation_id, Signal.id.in_([r.id for r in rows]))
            .values(state=SignalState.EVALUATED, evaluate_at=None, evaluated_at=now)
            .execution_options(synchronize_session=False)
        )
    return len(batch)


def _view(row: Any) -> SignalView:
    return SignalView(
        row.id, row.organisation_id, row.type, row.source, row.external_id, row.occurred_at, row.attributes
    )


def _evaluate(db: Session, organisation_id: uuid.UUID, rows: Sequence[Row[Any]], now: datetime) -> None:
    book = book_for(db=db, organisation_id=organisation_id)
    triggered = [(row, rules) for row in rows if (rules := book.triggered_by(row.type))]
    if not triggered:
        return  # the common case: no rule listens to these types
    organisation = db.get(Organisation, organisation_id)
    assert organisation is not None
    customers = _customers(db, organisation_id, {row.customer_id for row, _ in triggered})
    context, deferred = Context(db), []
    for row, rules in triggered:
        customer = customers[row.customer_id]
        zone = zone_of(customer, organisation.timezone)
        facts = Facts.of(row, book=book, customer=customer, zone=zone, now=now, context=context)
        for rule in rules:
            if rule.delay is not None or rule.paused:
                deferred.append(_row(organisation_id, rule, row.id, customer.id, now, row.occurred_at))
            elif matches(rule, facts):  # built once per signal, tested by each of its rules
                run = _run(db, book, rule, _view(row), customer, organisation, uuid7(), now)
                db.add(_firing(run, execute(run=run, book=book)))
                db.flush()  # the frequency cap counts this firing for the customer's next signal
    insert_many(db, RuleFiring, deferred)


def _customers(db: Session, organisation_id: uuid.UUID, ids: set[uuid.UUID]) -> dict[uuid.UUID, Customer]:
    """The batch's customers in one query: conditions read them, and a firing acts on the same object."""
    found = db.scalars(
        select(Customer).where(Customer.organisation_id == organisation_id, Customer.id.in_(ids))
    )
    return {customer.id: customer for customer in found}


def _run(
    db: Session,
    book: Book,
    rule: Compiled,
    signal: SignalView,
    customer: Customer,
    organisation: Organisation,
    firing_id: uuid.UUID,
    now: datetime,
) -> Run:
    zone = zone_of(customer, organisation.timezone)
    return Run(
        db=db, rule=rule, signal=signal, customer=customer, organisation=organisation,
        firing_id=firing_id, now=now, zone=zone, quiet_until=quiet_until(book.settings, zone, now),
        case=_signal_case(db, signal, customer),
    )  # fmt: skip


def _signal_case(db: Session, signal: SignalView, customer: Customer) -> Case | None:
    """The case a signal Attent raised about one of the customer's cases (a low survey score) names, so
    the rule's actions work on it; None for other signals, or a case that is not (or no longer) theirs."""
    if signal.type not in ON_CASE:
        return None
    try:
        case_id = uuid.UUID(str(signal.attributes.get("case_id")))
    except ValueError:
        return None
    case = db.get(Case, (customer.organisation_id, case_id))
    return case if case is not None and case.customer_id == customer.id else None


def _row(
    organisation_id: uuid.UUID,
    rule: Compiled,
    signal_id: uuid.UUID,
    customer_id: uuid.UUID,
    now: datetime,
    occurred_at: datetime,
) -> dict[str, Any]:
    """A firing that waits: for its due time (a delayed rule) or for its paused rule to resume."""
    waiting = rule.paused and rule.delay is None
    return {
        "organisation_id": organisation_id,
        "id": uuid7(),
        "rule_id": rule.id,
        "signal_id": signal_id,
        "customer_id": customer_id,
        "state": FiringState.WAITING if waiting else FiringState.SCHEDULED,
        "due_at": None if waiting else max(now, later(occurred_at, rule.delay or timedelta(0))),
        "fired_at": None,
        "contacted_at": None,
        "case_id": None,
        "reason": "rule_paused" if waiting else None,
        "error": None,
        "created_at": now,
        "updated_at": now,
    }


def _firing(run: Run, outcome: Outcome) -> RuleFiring:
    firing = RuleFiring(
        organisation_id=run.organisation.id,
        id=run.firing_id,
        rule_id=run.rule.id,
        signal_id=run.signal.id,
        customer_id=run.customer.id,
        created_at=run.now,
    )
    _apply(firing, outcome, run.now)
    return firing


def _apply(firing: RuleFiring, outcome: Outcome, now: datetime) -> None:
    firing.state, firing.reason, firing.error = outcome.state, outcome.reason, outcome.error
    firing.case_id, firing.due_at, firing.updated_at = outcome.case_id, None, now
    firing.fired_at = now if outcome.state is FiringState.FIRED else None
    firing.contacted_at = now if outcome.contacted else None


def run_due_firings(
    *, database: Database, now: datetime, limit: int = FIRING_BATCH, settings: Settings | None = None
) -> int:
    """Run delayed firings (and resumed ones) whose time has come; conditions are checked again now."""
    query = (
        select(RuleFiring)
        .where(RuleFiring.due_at <= now)
        .order_by(RuleFiring.due_at)
        .limit(min(limit, FIRING_BATCH))
    )
    return sum(
        do_claimed(
            database=database,
            kind="rule_firing",
            query=query,
            work=lambda db, firings: _run_all_due(db, firings, now),
            now=now,
        )
    )


def _run_all_due(db: Session, firings: Sequence[RuleFiring], now: datetime) -> int:
    for firing in firings:
        _run_due(db, firing, now)
    return len(firings)


def _run_due(db: Session, firing: RuleFiring, now: datetime) -> None:
    book = book_for(db=db, organisation_id=firing.organisation_id)
    rule = book.rules.get(firing.rule_id)
    signal = db.get(Signal, (firing.organisation_id, firing.signal_id))
    customer = db.get(Customer, (firing.organisation_id, firing.customer_id))
    organisation = db.get(Organisation, firing.organisation_id)
    assert signal is not None
    assert customer is not None
    assert organisation is not None
    if rule is None or not rule.active:
        _apply(firing, Outcome(FiringState.SKIPPED, reason="rule_inactive"), now)
        return
    if rule.paused:
        _apply(firing, Outcome(FiringState.WAITING, reason="rule_paused"), now)
        return
    run = _run(db, book, rule, _view(signal), customer, organisation, firing.id, now)
    facts = Facts.of(
        run.signal, book=book, customer=run.customer, zone=run.zone, now=run.now, context=Context(db)
    )
    if not matches(rule, facts):
        _apply(firing, Outcome(FiringState.SKIPPED, reason="conditions_not_met"), now)
        return
    _apply(firing, execute(run=run, book=book), now)
    db.flush()


# --- outbound webhooks --------------------------------------------------------------------------------

WEBHOOK_TIMEOUT = 10.0


def sign(secret: bytes, timestamp: int, body: bytes) -> str:
    """The signature header value: t=<unix time>,v1=<hex HMAC-SHA256 of 't.body'>."""
    digest = hmac.new(secret, f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def deliver_webhook(db: Session, job: Job, now: datetime) -> None:
    """POST a rule's call, signed; any failure raises, and the queue retries with backoff."""
    payload, settings = job.payload, get_settings()
    destination = check_destination(payload["url"], private_allowed=settings.webhook_private_addresses)
    secret = outbound_secret(
        db=db, organisation_id=job.organisation_id, source=payload["source"], key=settings.secret_key
    )
    body = json.dumps(payload["body"], separators=(",", ":"), sort_keys=True).encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "Attent-Webhook/1",
        "Idempotency-Key": job.key,
        "X-Attent-Signature": sign(secret, int(now.timestamp()), body),
    }
    post(destination, body=body, headers=headers, timeout=WEBHOOK_TIMEOUT)
