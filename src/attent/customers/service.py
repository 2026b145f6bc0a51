"""Customers: create, find, change; changes are recorded on the customer's timeline."""

import re
import uuid
from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from attent.agents import Agent
from attent.core import phones
from attent.core.errors import Conflict, FieldError, Invalid, NotFound
from attent.core.events import ask, publish
from attent.core.ids import uuid7
from attent.core.pagination import newest_first
from attent.customers.events import CustomerReferencesAdded, WhichDetailsAreHidden
from attent.customers.kinds import CustomerCreated, CustomerUpdated
from attent.customers.masking import Hidden
from attent.customers.merging import merge_candidates as merge_candidates  # the door to merging
from attent.customers.merging import merge_customer as merge_customer
from attent.customers.models import Customer, CustomerRef
from attent.customers.schemas import REF_SYSTEM, CustomerCreate, CustomerRead, CustomerUpdate, Fact
from attent.timeline.service import record_event

_SYSTEM = re.compile(REF_SYSTEM)


def _check_refs(refs: dict[str, Any]) -> None:
    bad = [
        FieldError(("external_refs", k), "Use a lowercase system name such as 'shop'.")
        for k in refs
        if not _SYSTEM.match(k)
    ]
    bad += [
        FieldError(("external_refs", k), "A reference is 1 to 120 characters.")
        for k, v in refs.items()
        if v is not None and not 1 <= len(v) <= 120
    ]
    if bad:
        raise Invalid("invalid_external_ref", "One or more external references are not valid.", bad)


def _set_ref(*, db: Session, customer: Customer, system: str, value: str | None) -> None:
    key = (customer.organisation_id, customer.id, system)
    current = db.get(CustomerRef, key)
    if value is None:
        if current is not None:
            db.delete(current)
        return
    taken = db.scalar(
        select(CustomerRef.customer_id).where(
            CustomerRef.organisation_id == customer.organisation_id,
            CustomerRef.system == system,
            CustomerRef.value == value,
        )
    )
    if taken is not None and taken != customer.id:
        raise Conflict(
            "external_ref_taken",
            "Reference {ref} already belongs to customer {customer}.",
            ref=f"{system}:{value}",
            customer=taken,
        )
    if current is None:
        db.add(
            CustomerRef(
                organisation_id=customer.organisation_id, customer_id=customer.id, system=system, value=value
            )
        )
    else:
        current.value = value


def _match_signals(*, db: Session, customer: Customer, refs: dict[str, str], at: datetime) -> None:
    """Signals that arrived before the customer (by one of these references) are theirs now."""
    if refs:
        db.flush()
        publish(
            db,
            CustomerReferencesAdded(
                organisation_id=customer.organisation_id, customer_id=customer.id, refs=refs, at=at
            ),
        )


def _fact_json(fact: Fact, at: datetime) -> dict[str, str]:
    return {"value": fact.value, "consent": fact.consent, "recorded_at": at.isoformat()}


def create_customer(*, db: Session, actor: Agent, data: CustomerCreate, at: datetime) -> Customer:
    """A new customer of the actor's organisation."""
    _check_refs(data.external_refs)
    customer = Customer(
        organisation_id=actor.organisation_id,
        name=data.name,
        email=str(data.email).lower() if data.email else None,
        phone=data.phone,
        language=data.language,
        facts={k: _fact_json(f, at) for k, f in data.facts.items()},
        created_at=at,
        updated_at=at,
    )
    db.add(customer)
    db.flush()
    for system, value in data.external_refs.items():
        _set_ref(db=db, customer=customer, system=system, value=value)
    _match_signals(db=db, customer=customer, refs=data.external_refs, at=at)
    record_event(
        db=db,
        organisation_id=actor.organisation_id,
        customer_id=customer.id,
        event=CustomerCreated(),
        at=at,
        actor=actor,
    )
    db.flush()
    return customer


def get_customer(*, db: Session, actor: Agent, customer_id: uuid.UUID) -> Customer:
    """One customer of the actor's organisation."""
    customer = db.get(Customer, (actor.organisation_id, customer_id))
    if customer is None:
        raise NotFound.of("customer", customer_id)
    return customer


def update_customer(
    *, db: Session, actor: Agent, customer_id: uuid.UUID, data: CustomerUpdate, at: datetime
) -> Customer:
    """Change details, references or consented facts; the timeline names the fields, not the values."""
    customer = get_customer(db=db, actor=actor, customer_id=customer_id)
    changes = data.model_dump(exclude_unset=True)
    for field in ("name", "language"):
        if changes.get(field) is not None:
            setattr(customer, field, changes[field])
    if "email" in changes:
        customer.email = str(data.email).lower() if data.email else None
    if "phone" in changes:
        customer.phone = data.phone
    if data.external_refs is not None:
        _check_refs(data.external_refs)
        for system, value in data.external_refs.items():
            _set_ref(db=db, customer=customer, system=system, value=value)
        refs = {system: value for system, value in data.external_refs.items() if value is not None}
        _match_signals(db=db, customer=customer, refs=refs, at=at)
    if data.facts is not None:
        facts = dict(customer.facts)
        for key, fact in data.facts.items():
            if fact is None:
                facts.pop(key, None)
            else:
                facts[key] = _fact_json(fact, at)
        customer.facts = facts
    customer.updated_at = at
    record_event(
        db=db,
        organisation_id=actor.organisation_id,
        customer_id=customer.id,
        event=CustomerUpdated(fields=sorted(changes)),
        at=at,
        actor=actor,
    )
    db.flush()
    return customer


def list_customers(
    *, db: Session, actor: Agent, q: str | None, external_ref: str | None, cursor: str | None, limit: int
) -> tuple[list[Customer], str | None]:
    """Customers by newest first; `q` matches name, e-mail or phone; `external_ref` is 'system:value'.

    A part of a name, e-mail address or phone number finds the customer, but a masked detail (one a
    verification question asks for) only by its whole value: otherwise searching "a", "ma", "mar"…
    would spell out the answer the mask hides.
    """
    query = select(Customer).where(
        Customer.organisation_id == actor.organisation_id, Customer.merged_into_id.is_(None)
    )
    if q:
        like = f"%{q.lower()}%"
        hidden = hidden_details(db=db, organisation_id=actor.organisation_id)
        email = Customer.email == q.strip().lower() if hidden.hides_email else Customer.email.like(like)
        phone = Customer.phone == q.strip() if hidden.hides_phone else Customer.phone.like(f"%{q}%")
        matching = or_(func.lower(Customer.name).like(like), email, phone)
        # A customer merged into another is found by what it was known by, as the customer kept.
        query = query.where(
            Customer.id.in_(
                select(func.coalesce(Customer.merged_into_id, Customer.id)).where(
                    Customer.organisation_id == actor.organisation_id, matching
                )
            )
        )
    if external_ref:
        system, sep, value = external_ref.partition(":")
        if not sep:
            raise Invalid(
                "invalid_external_ref",
                "external_ref is written as system:value, e.g. shop:C-1042.",
                [FieldError(("query", "external_ref"), "Expected system:value.")],
            )
        owner = (  # a reference left on a merged customer's pointer row finds the customer kept
            select(func.coalesce(Customer.merged_into_id, Customer.id))
            .join(CustomerRef, (CustomerRef.organisation_id == Customer.organisation_id)
                  & (CustomerRef.customer_id == Customer.id))
            .where(
                CustomerRef.organisation_id == actor.organisation_id,
                CustomerRef.system == system,
                CustomerRef.value == value,
            )
        )  # fmt: skip
        query = query.where(Customer.id.in_(owner))
    return newest_first(db, query, Customer.id, cursor, limit)


def kept_for(*, db: Session, customer: Customer) -> Customer:
    """The customer itself, or the one it was merged into (a pointer is never two hops: see merging)."""
    if customer.merged_into_id is None:
        return customer
    kept = db.get(Customer, (customer.organisation_id, customer.merged_into_id))
    return customer if kept is None else kept


def refs_of(
    *, db: Session, organisation_id: uuid.UUID, customer_ids: list[uuid.UUID]
) -> dict[uuid.UUID, dict[str, str]]:
    """Customer id -> {system: reference}, in one query."""
    result: dict[uuid.UUID, dict[str, str]] = {cid: {} for cid in customer_ids}
    rows = db.scalars(
        select(CustomerRef).where(
            CustomerRef.organisation_id == organisation_id, CustomerRef.customer_id.in_(customer_ids)
        )
    )
    for ref in rows:
        result[ref.customer_id][ref.system] = ref.value
    return result


def hidden_details(*, db: Session, organisation_id: uuid.UUID) -> Hidden:
    """The organisation's customer details that answer verification questions (shown masked)."""
    hidden: Hidden = ask(db, WhichDetailsAreHidden(organisation_id=organisation_id))
    return hidden


def read_customers(*, db: Session, customers: list[Customer]) -> list[CustomerRead]:
    """Views of customers with their references, verification answers masked; a few queries for any number."""
    if not customers:
        return []
    organisation_id = customers[0].organisation_id
    refs = refs_of(db=db, organisation_id=organisation_id, customer_ids=[c.id for c in customers])
    hidden = hidden_details(db=db, organisation_id=organisation_id)
    return [_read(c, refs[c.id], hidden) for c in customers]


def _read(customer: Customer, refs: dict[str, str], hidden: Hidden) -> CustomerRead:
    return CustomerRead.model_validate(
        {
            **{
                col: getattr(customer, col)
                for col in ("id", "name", "language", "created_at", "updated_at", "merged_into_id")
            },
            "email": hidden.email(customer.email),
            "phone": hidden.phone(customer.phone),
            "external_refs": hidden.refs(refs),
            "facts": hidden.facts(customer.facts),
            "masked": hidden.masked(
                email=customer.email, phone=customer.phone, refs=refs, facts=customer.facts
            ),
        }
    )


# --- customers who reach us themselves (a call, the web form): found, or added, with no agent -------------


def find_by_phone(*, db: Session, organisation_id: uuid.UUID, number: str) -> Customer | None:
    """The customer with this E.164 number (stored in any writing: "06-12345678" too), the most recent
    one if several share it (a household's landline)."""
    exact = db.scalar(
        select(Customer)
        .where(Customer.organisation_id == organisation_id, Customer.phone == number)
        .order_by(Customer.created_at.desc())
        .limit(1)
    )
    if exact is not None:
        return kept_for(db=db, customer=exact)
    stripped = func.replace(func.replace(func.replace(Customer.phone, "-", ""), " ", ""), ".", "")
    candidates = db.scalars(
        select(Customer)
        .where(Customer.organisation_id == organisation_id, stripped.like(f"%{phones.tail(number)}"))
        .order_by(Customer.created_at.desc())
        .limit(20)
    )
    found = next((c for c in candidates if phones.e164(c.phone) == number), None)
    return None if found is None else kept_for(db=db, customer=found)


def find_by_email(*, db: Session, organisation_id: uuid.UUID, email: str) -> Customer | None:
    """The customer with this e-mail address (case-insensitive), the most recent if several."""
    found = db.scalar(
        select(Customer)
        .where(Customer.organisation_id == organisation_id, Customer.email == email.strip().lower())
        .order_by(Customer.created_at.desc())
        .limit(1)
    )
    return None if found is None else kept_for(db=db, customer=found)


def add_reaching_customer(
    *,
    db: Session,
    organisation_id: uuid.UUID,
    name: str,
    at: datetime,
    email: str | None = None,
    phone: str | None = None,
    language: str = "nl",
) -> Customer:
    """A customer we did not know, added because they reached us themselves (no agent added them)."""
    customer = Customer(
        organisation_id=organisation_id,
        name=name[:200],
        email=email.strip().lower() if email else None,
        phone=phone,
        language=language,
        facts={},
        created_at=at,
        updated_at=at,
    )
    db.add(customer)
    db.flush()
    record_event(
        db=db, organisation_id=organisation_id, customer_id=customer.id, event=CustomerCreated(), at=at,
        actor=None,
    )  # fmt: skip
    return customer


def find_or_add_by_email(
    *, db: Session, organisation_id: uuid.UUID, email: str, name: str, language: str, at: datetime
) -> tuple[Customer, bool]:
    """The customer who writes from `email` (the oldest, when several share it), or a new one named as the
    message's From header names them; True when new. For mail that arrives with no agent involved."""
    email = email.strip().lower()
    found = find_by_emails(db=db, organisation_id=organisation_id, emails=[email]).get(email)
    if found is not None:
        return found, False
    customer = stage_customer_from_email(
        db=db, organisation_id=organisation_id, email=email, name=name, language=language, at=at
    )
    db.flush()
    return customer, True


def find_by_emails(
    *, db: Session, organisation_id: uuid.UUID, emails: Collection[str]
) -> dict[str, Customer]:
    """The customer who writes from each address (the oldest, when several share one), in one query."""
    wanted = sorted({e.strip().lower() for e in emails})
    found: dict[str, Customer] = {}
    if not wanted:
        return found
    query = (
        select(Customer)
        .where(Customer.organisation_id == organisation_id, Customer.email.in_(wanted))
        .order_by(Customer.created_at, Customer.id)
    )
    for customer in db.scalars(query):
        found.setdefault(customer.email or "", customer)
    return {email: kept_for(db=db, customer=customer) for email, customer in found.items()}


def stage_customer_from_email(
    *, db: Session, organisation_id: uuid.UUID, email: str, name: str, language: str, at: datetime
) -> Customer:
    """A new customer who wrote to us, named as their From header names them; not flushed (the id is
    minted here), so e-mail ingest writes a batch's new customers in one statement."""
    email = email.strip().lower()
    customer = Customer(
        organisation_id=organisation_id, id=uuid7(), name=(name.strip() or email)[:200], email=email,
        language=language, facts={}, created_at=at, updated_at=at,
    )  # fmt: skip
    db.add(customer)
    record_event(
        db=db, organisation_id=organisation_id, customer_id=customer.id, event=CustomerCreated(), at=at,
        actor=None,
    )  # fmt: skip
    return customer
