"""Customers."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request

from attent.agents import CurrentAgent, Idempotent
from attent.core import access
from attent.core.deps import ClockDep, DbSession
from attent.core.onethread import OneThreadRoute
from attent.core.pagination import MAX_LIMIT
from attent.core.schemas import Page
from attent.customers import service
from attent.customers.schemas import CustomerCreate, CustomerMerge, CustomerRead, CustomerUpdate

router = APIRouter(prefix="/customers", tags=["customers"], route_class=OneThreadRoute)


@router.post("", status_code=201)
def create_customer(
    body: CustomerCreate, db: DbSession, actor: CurrentAgent, clock: ClockDep, idem: Idempotent
) -> CustomerRead:
    """Add a customer."""
    customer = service.create_customer(db=db, actor=actor, data=body, at=clock.now())
    result: CustomerRead = idem.remember(service.read_customers(db=db, customers=[customer])[0])
    return result


@router.get("")
def list_customers(
    db: DbSession,
    actor: CurrentAgent,
    q: Annotated[str | None, Query(max_length=200, description="Part of name, e-mail or phone.")] = None,
    external_ref: Annotated[
        str | None, Query(max_length=200, description="system:value, e.g. shop:C-1042")
    ] = None,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 50,
) -> Page[CustomerRead]:
    """Customers, newest first."""
    rows, next_cursor = service.list_customers(
        db=db, actor=actor, q=q, external_ref=external_ref, cursor=cursor, limit=limit
    )
    return Page(items=service.read_customers(db=db, customers=rows), next_cursor=next_cursor)


@router.get("/{customer_id}")
def get_customer(
    customer_id: uuid.UUID, request: Request, db: DbSession, actor: CurrentAgent, clock: ClockDep
) -> CustomerRead:
    """One customer (the access log records who asked)."""
    customer = service.get_customer(db=db, actor=actor, customer_id=customer_id)
    access.seen(
        request, organisation_id=actor.organisation_id, agent_id=actor.id, subject=access.Subject.CUSTOMER,
        subject_id=customer.id, customer_id=customer.id, at=clock.now(),
    )  # fmt: skip
    return service.read_customers(db=db, customers=[customer])[0]


@router.patch("/{customer_id}")
def update_customer(
    customer_id: uuid.UUID, body: CustomerUpdate, db: DbSession, actor: CurrentAgent, clock: ClockDep
) -> CustomerRead:
    """Change a customer."""
    customer = service.update_customer(db=db, actor=actor, customer_id=customer_id, data=body, at=clock.now())
    return service.read_customers(db=db, customers=[customer])[0]


@router.post("/{customer_id}/merge")
def merge_customer(
    customer_id: uuid.UUID, body: CustomerMerge, db: DbSession, actor: CurrentAgent, clock: ClockDep
) -> CustomerRead:
    """Merge this customer into `into` (the same person): cases, contacts, promises, references and facts
    move to the one kept, which is returned; this one stays as a pointer to it."""
    kept = service.merge_customer(
        db=db, actor=actor, customer_id=customer_id, into_id=body.into, at=clock.now()
    )
    return service.read_customers(db=db, customers=[kept])[0]
