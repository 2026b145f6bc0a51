"""Merging two customers of one organisation (the same person under two e-mail addresses).

Table-driven, like the privacy erasure: every table with a `customer_id` column has its rows of the
merged customer pointed at the kept one in one UPDATE, so a table a later issue adds is covered without
its domain having to remember (the merge test writes a row in every such table and finds it moved).
Only `customer_refs` is read row by row: its key is one reference per system per customer.

What is kept when the two disagree (written down in the README):
- the kept customer's name, e-mail, phone and language stay; an empty one is filled from the other;
- the merged customer stays as a pointer row (`merged_into_id`) with the details it had, so mail from
  its address, a call from its number, a search for it and a link to it all land on the kept one:
  both addresses stay known, and the record shows what came from where;
- a consented fact the kept customer lacks moves over; one it has stays as it is;
- a reference in a system the kept customer has a reference in already stays on the pointer row (a
  look-up by it follows the pointer); the others move.

The customers domain publishes `CustomersMerged` after the rows moved, for a domain that must do more.
"""

import uuid
from datetime import datetime

from sqlalchemy import ColumnElement, func, or_, select, update
from sqlalchemy.orm import Session

from attent.agents import Agent
from attent.core.db import Base
from attent.core.errors import Conflict, FieldError, Invalid, NotFound
from attent.core.events import publish
from attent.customers.events import CustomersMerged
from attent.customers.kinds import CustomerMerged, CustomerMergedInto
from attent.customers.models import Customer, CustomerRef
from attent.timeline.service import record_event

# Tables merged by hand above the loop: the customer's own references (one per system).
BY_HAND = frozenset({"customer_refs"})


def _customer(db: Session, actor: Agent, customer_id: uuid.UUID) -> Customer:
    """One customer of the actor's organisation: `service.get_customer`, which cannot be imported here
    (service re-exports this module)."""
    customer = db.get(Customer, (actor.organisation_id, customer_id))
    if customer is None:
        raise NotFound.of("customer", customer_id)
    return customer


def tables_with_customer_rows() -> list[str]:
    """Every table whose rows belong to a customer by a `customer_id` column, the ones merging moves."""
    return sorted(
        name
        for name, table in Base.metadata.tables.items()
        if "customer_id" in table.c and name not in BY_HAND
    )


def merge_candidates(*, db: Session, actor: Agent, customer: Customer, limit: int = 10) -> list[Customer]:
    """Customers who may be the same person (the same surname, phone or e-mail address), for the merge
    form to offer; the form also takes any other customer's id."""
    words = customer.name.lower().split()
    surname = words[-1].replace("\\", "").replace("%", "").replace("_", "") if words else ""
    alike: list[ColumnElement[bool]] = (
        [func.lower(Customer.name).like(f"%{surname}")] if len(surname) > 1 else []
    )
    alike += [Customer.phone == customer.phone] if customer.phone else []
    alike += [Customer.email == customer.email] if customer.email else []
    if not alike:
        return []
    return list(
        db.scalars(
            select(Customer)
            .where(
                Customer.organisation_id == actor.organisation_id,
                Customer.id != customer.id,
                Customer.merged_into_id.is_(None),
                or_(*alike),
            )
            .order_by(Customer.name, Customer.id)
            .limit(limit)
        )
    )


def merge_customer(
    *, db: Session, actor: Agent, customer_id: uuid.UUID, into_id: uuid.UUID, at: datetime
) -> Customer:
    """Merge customer `customer_id` into `into_id`: every row of the one points at the other, which is
    returned; the merged one stays as a pointer. Refused: into itself (422), another organisation's
    (404, as if it did not exist), or a customer merged already (409)."""
    if customer_id == into_id:
        raise Invalid(
            "merge_into_itself",
            "A customer cannot be merged into itself.",
            [FieldError(("into",), "Same customer.")],
        )
    merged = _customer(db, actor, customer_id)
    kept = _customer(db, actor, into_id)
    if merged.merged_into_id is not None or kept.merged_into_id is not None:
        raise Conflict(
            "customer_already_merged",
            "One of these customers was merged already; merge into the customer it points to.",
        )
    org = actor.organisation_id
    db.flush()
    left = _move_refs(db=db, organisation_id=org, old=merged.id, new=kept.id)
    for name in tables_with_customer_rows():
        table = Base.metadata.tables[name]
        db.execute(
            update(table)
            .where(table.c.organisation_id == org, table.c.customer_id == merged.id)
            .values(customer_id=kept.id)
        )
    # Customers merged into this one earlier now point at the kept one: a pointer is never two hops.
    db.execute(
        update(Customer)
        .where(Customer.organisation_id == org, Customer.merged_into_id == merged.id)
        .values(merged_into_id=kept.id)
    )
    db.expire_all()  # rows of both customers moved under the session's feet
    merged = _customer(db, actor, customer_id)
    kept = _customer(db, actor, into_id)
    kept.email = kept.email or merged.email
    kept.phone = kept.phone or merged.phone
    kept.facts = {**merged.facts, **kept.facts}
    kept.updated_at = merged.updated_at = at
    merged.merged_into_id = kept.id
    record_event(
        db=db, organisation_id=org, customer_id=kept.id, at=at, actor=actor,
        event=CustomerMerged(from_=str(merged.id), known_as=merged.name, email=merged.email or "",
                             phone=merged.phone or "", refs_left=left),
    )  # fmt: skip
    record_event(
        db=db, organisation_id=org, customer_id=merged.id, at=at, actor=actor,
        event=CustomerMergedInto(into=str(kept.id)),
    )  # fmt: skip
    db.flush()
    publish(db, CustomersMerged(organisation_id=org, kept_id=kept.id, merged_id=merged.id, at=at))
    return kept


def _move_refs(*, db: Session, organisation_id: uuid.UUID, old: uuid.UUID, new: uuid.UUID) -> list[str]:
    """Move the merged customer's references to the kept one, but for systems the kept one has a reference
    in already (those stay on the pointer row); returns those systems."""
    refs = list(
        db.scalars(
            select(CustomerRef).where(
                CustomerRef.organisation_id == organisation_id, CustomerRef.customer_id.in_([old, new])
            )
        )
    )
    kept_systems = {r.system for r in refs if r.customer_id == new}
    moving = [r.system for r in refs if r.customer_id == old and r.system not in kept_systems]
    if moving:
        db.execute(
            update(CustomerRef)
            .where(
                CustomerRef.organisation_id == organisation_id,
                CustomerRef.customer_id == old,
                CustomerRef.system.in_(moving),
            )
            .values(customer_id=new)
        )
    return sorted(r.system for r in refs if r.customer_id == old and r.system in kept_systems)
