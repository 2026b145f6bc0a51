"""Taking in signals (API and webhooks) and matching them to customers, now or when the customer appears."""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, tuple_, update
from sqlalchemy.orm import Session

from attent.agents import Agent
from attent.cases import CasesMerged
from attent.core.db import insert_many, repoint
from attent.core.errors import FieldError, Invalid, NotFound
from attent.core.ids import uuid7
from attent.core.pagination import newest_first
from attent.customers import Customer, CustomerRef
from attent.signals.models import RuleFiring, RuleSet, Signal, SignalState
from attent.signals.schemas import (
    CustomerRefIn,
    FiringRead,
    SignalAccepted,
    SignalIn,
    SignalRead,
    SignalsAccepted,
)
from attent.signals.types import KNOWN, Kind, parse_value

API_SOURCE = "api"
OWN_SOURCE = "attent"  # signals Attent raises itself (a low survey score), never another system


def raise_signal(
    *,
    db: Session,
    organisation_id: uuid.UUID,
    customer_id: uuid.UUID,
    type: str,
    attributes: dict[str, Any],
    external_id: str,
    at: datetime,
) -> None:
    """A signal Attent raises itself about one of its customers, so the organisation's rules can act on it
    as on any other (`survey.scored_low`); the worker evaluates it like the rest. Its external id makes
    raising it twice harmless."""
    signal = SignalIn(
        type=type, customer_id=customer_id, occurred_at=at, attributes=attributes, external_id=external_id
    )
    take_in(db=db, organisation_id=organisation_id, source=OWN_SOURCE, signals=[signal], batch=False, at=at)


def signal_types(*, db: Session, organisation_id: uuid.UUID) -> dict[str, dict[str, Kind]]:
    """The known signal types plus the organisation's own, each with its declared attributes."""
    own = db.scalar(select(RuleSet.signal_types).where(RuleSet.organisation_id == organisation_id))
    return {**KNOWN, **{name: dict(spec.get("attributes", {})) for name, spec in (own or {}).items()}}


def _check(
    signal: SignalIn, types: dict[str, dict[str, Kind]], at: tuple[str | int, ...]
) -> list[FieldError]:
    declared = types.get(signal.type)
    if declared is None:
        return [
            FieldError(
                (*at, "type"), "Unknown signal type “{type}”; an admin can define it.", {"type": signal.type}
            )
        ]
    errors = []
    for name, kind in declared.items():
        if name in signal.attributes and signal.attributes[name] is not None:
            try:
                parse_value(kind, signal.attributes[name])
            except ValueError as exc:
                errors.append(FieldError.because((*at, "attributes", name), exc))
    return errors


def take_in(
    *,
    db: Session,
    organisation_id: uuid.UUID,
    source: str,
    signals: list[SignalIn],
    batch: bool,
    at: datetime,
) -> SignalsAccepted:
    """Store new signals in one go (COPY on PostgreSQL); known external ids come back as duplicates.

    Every signal is checked before anything is written, so a batch is taken in whole or not at all.
    """
    types = signal_types(db=db, organisation_id=organisation_id)
    prefix: list[tuple[str | int, ...]] = [("signals", i) if batch else () for i in range(len(signals))]
    errors = [e for s, p in zip(signals, prefix, strict=True) for e in _check(s, types, p)]
    ids = {s.customer_id for s in signals if s.customer_id is not None}
    query = select(Customer.id).where(Customer.organisation_id == organisation_id, Customer.id.in_(ids))
    known_ids = set(db.scalars(query)) if ids else set()
    errors += [
        FieldError((*p, "customer_id"), "No customer with id {id} exists.", {"id": s.customer_id})
        for s, p in zip(signals, prefix, strict=True)
        if s.customer_id is not None and s.customer_id not in known_ids
    ]
    if errors:
        raise Invalid(
            "invalid_signals", "Problems in the signals: {n}; nothing was stored.", errors, n=len(errors)
        )
    by_ref = _customers_by_ref(db, organisation_id, [s.customer_ref for s in signals if s.customer_ref])
    seen = _seen(db, organisation_id, source, [s.external_id for s in signals if s.external_id])
    rows: list[dict[str, Any]] = []
    items = []
    for signal in signals:
        if signal.external_id is not None and signal.external_id in seen:
            items.append(seen[signal.external_id].model_copy(update={"duplicate": True}))
            continue
        ref = signal.customer_ref
        customer_id = signal.customer_id or (by_ref.get((ref.system, ref.value)) if ref else None)
        state = SignalState.PENDING if customer_id else SignalState.UNMATCHED
        row = {
            "organisation_id": organisation_id,
            "id": uuid7(),
            "type": signal.type,
            "source": source,
            "external_id": signal.external_id,
            "customer_id": customer_id,
            "ref_system": ref.system if ref else None,
            "ref_value": ref.value if ref else None,
            "occurred_at": signal.occurred_at,
            "received_at": at,
            "attributes": signal.attributes,
            "state": state,
            "evaluate_at": at if customer_id else None,
            "evaluated_at": None,
        }
        rows.append(row)
        accepted = SignalAccepted(
            id=row["id"],
            external_id=signal.external_id,
            duplicate=False,
            customer_id=customer_id,
            state=state,
        )
        if signal.external_id is not None:
            seen[signal.external_id] = accepted  # the same id twice in one batch is stored once
        items.append(accepted)
    insert_many(db, Signal, rows)
    return SignalsAccepted(accepted=len(rows), duplicates=len(items) - len(rows), items=items)


def _customers_by_ref(
    db: Session, organisation_id: uuid.UUID, refs: list[CustomerRefIn]
) -> dict[tuple[str, str], uuid.UUID]:
    pairs = {(r.system, r.value) for r in refs}
    if not pairs:
        return {}
    # A reference left on a merged customer's pointer row belongs to the customer kept.
    owner = func.coalesce(Customer.merged_into_id, CustomerRef.customer_id)
    on = (Customer.organisation_id == CustomerRef.organisation_id) & (Customer.id == CustomerRef.customer_id)
    rows = db.execute(
        select(CustomerRef.system, CustomerRef.value, owner)
        .join(Customer, on)
        .where(
            CustomerRef.organisation_id == organisation_id,
            tuple_(CustomerRef.system, CustomerRef.value).in_(sorted(pairs)),
        )
    )
    return {(system, value): customer_id for system, value, customer_id in rows}


def _seen(
    db: Session, organisation_id: uuid.UUID, source: str, external_ids: list[str]
) -> dict[str, SignalAccepted]:
    if not external_ids:
        return {}
    rows = db.execute(
        select(Signal.id, Signal.external_id, Signal.customer_id, Signal.state).where(
            Signal.organisation_id == organisation_id,
            Signal.source == source,
            Signal.external_id.in_(set(external_ids)),
        )
    )
    return {
        ext: SignalAccepted(id=sid, external_id=ext, duplicate=True, customer_id=cid, state=state)
        for sid, ext, cid, state in rows
        if ext is not None
    }


def match_waiting_signals(
    *, db: Session, organisation_id: uuid.UUID, customer_id: uuid.UUID, refs: dict[str, str], at: datetime
) -> int:
    """A customer appeared (or got a reference): signals that waited for them are evaluated now."""
    matched = 0
    for system, value in refs.items():
        result = db.execute(
            update(Signal)
            .where(
                Signal.organisation_id == organisation_id,
                Signal.customer_id.is_(None),
                Signal.ref_system == system,
                Signal.ref_value == value,
            )
            .values(customer_id=customer_id, state=SignalState.PENDING, evaluate_at=at)
            .execution_options(synchronize_session=False)
        )
        matched += result.rowcount  # type: ignore[attr-defined]
    return matched


def get_signal(*, db: Session, actor: Agent, signal_id: uuid.UUID) -> SignalRead:
    """One signal of the actor's organisation with what each rule made of it."""
    signal = db.get(Signal, (actor.organisation_id, signal_id))
    if signal is None:
        raise NotFound.of("signal", signal_id)
    return read_signals(db=db, signals=[signal])[0]


def list_signals(
    *,
    db: Session,
    actor: Agent,
    customer_id: uuid.UUID | None,
    type: str | None,
    state: SignalState | None,
    cursor: str | None,
    limit: int,
) -> tuple[list[SignalRead], str | None]:
    """Signals, newest first."""
    query = select(Signal).where(Signal.organisation_id == actor.organisation_id)
    if customer_id is not None:
        query = query.where(Signal.customer_id == customer_id)
    if type is not None:
        query = query.where(Signal.type == type)
    if state is not None:
        query = query.where(Signal.state == state)
    rows, next_cursor = newest_first(db, query, Signal.id, cursor, limit)
    return read_signals(db=db, signals=rows), next_cursor


def read_signals(*, db: Session, signals: list[Signal]) -> list[SignalRead]:
    """API views of signals and their firings, in two queries however many signals there are."""
    from attent.signals.models import Rule

    if not signals:
        return []
    org = signals[0].organisation_id
    firings: dict[uuid.UUID, list[FiringRead]] = {s.id: [] for s in signals}
    rows = db.execute(
        select(RuleFiring, Rule.key)
        .join(Rule, (Rule.organisation_id == RuleFiring.organisation_id) & (Rule.id == RuleFiring.rule_id))
        .where(RuleFiring.organisation_id == org, RuleFiring.signal_id.in_(list(firings)))
        .order_by(RuleFiring.created_at, RuleFiring.id)
    )
    for firing, key in rows:
        firings[firing.signal_id].append(
            FiringRead.model_validate({**_columns(firing, FiringRead), "rule_key": key})
        )
    return [
        SignalRead.model_validate(
            {
                **_columns(s, SignalRead),
                "customer_ref": {"system": s.ref_system, "value": s.ref_value} if s.ref_system else None,
                "firings": firings[s.id],
            }
        )
        for s in signals
    ]


def _columns(row: Any, schema: type[Any]) -> dict[str, Any]:
    return {name: getattr(row, name) for name in schema.model_fields if hasattr(row, name)}


def cases_merged(db: Session, event: CasesMerged) -> None:
    """A case was merged into another (subscribed in `attent.wiring`): the rule firings on it move."""
    repoint(db, RuleFiring, organisation_id=event.organisation_id, old=event.merged_id, new=event.kept_id)
