"""Contacts and messages."""

import uuid

from fastapi import APIRouter, Request

from attent.agents import CurrentAgent, Idempotent
from attent.contacts import service
from attent.contacts.schemas import (
    ContactCreate,
    ContactEnd,
    ContactRead,
    ContactWithMessages,
    MessageBatch,
    MessageRead,
    MessagesIn,
)
from attent.core import access
from attent.core.deps import ClockDep, DbSession
from attent.core.onethread import OneThreadRoute
from attent.core.schemas import Page

router = APIRouter(tags=["contacts"], route_class=OneThreadRoute)


@router.post("/cases/{case_id}/contacts", status_code=201)
def log_contact(
    case_id: uuid.UUID,
    body: ContactCreate,
    db: DbSession,
    actor: CurrentAgent,
    clock: ClockDep,
    idem: Idempotent,
) -> ContactRead:
    """Log an interaction (optionally with its transcript)."""
    contact = service.log_contact(db=db, actor=actor, case_id=case_id, data=body, at=clock.now())
    result: ContactRead = idem.remember(ContactRead.model_validate(contact))
    return result


@router.get("/cases/{case_id}/contacts")
def list_contacts(case_id: uuid.UUID, db: DbSession, actor: CurrentAgent) -> Page[ContactWithMessages]:
    """A case's contacts, oldest first, each with its messages."""
    rows = service.list_contacts(db=db, actor=actor, case_id=case_id)
    return Page(
        items=[
            ContactWithMessages.model_validate(
                {
                    **ContactRead.model_validate(c).model_dump(),
                    "messages": [MessageRead.model_validate(m) for m in msgs],
                }
            )
            for c, msgs in rows
        ]
    )


@router.get("/contacts/{contact_id}")
def get_contact(
    contact_id: uuid.UUID, request: Request, db: DbSession, actor: CurrentAgent, clock: ClockDep
) -> ContactRead:
    """One contact (the access log records who read its transcript)."""
    contact, case = service.get_contact(db=db, actor=actor, contact_id=contact_id)
    access.seen(
        request, organisation_id=actor.organisation_id, agent_id=actor.id, subject=access.Subject.TRANSCRIPT,
        subject_id=contact.id, customer_id=case.customer_id, case_id=case.id, at=clock.now(),
    )  # fmt: skip
    return ContactRead.model_validate(contact)


@router.patch("/contacts/{contact_id}")
def end_contact(
    contact_id: uuid.UUID, body: ContactEnd, db: DbSession, actor: CurrentAgent, clock: ClockDep
) -> ContactRead:
    """End a running contact with its outcome."""
    return ContactRead.model_validate(
        service.end_contact(db=db, actor=actor, contact_id=contact_id, data=body, at=clock.now())
    )


@router.post("/contacts/{contact_id}/messages", status_code=201)
def add_messages(
    contact_id: uuid.UUID,
    body: MessagesIn,
    db: DbSession,
    actor: CurrentAgent,
    clock: ClockDep,
    idem: Idempotent,
) -> Page[MessageRead]:
    """Add one message, or a whole transcript as {"messages": [...]}."""
    messages = body.messages if isinstance(body, MessageBatch) else [body]
    rows = service.add_messages(
        db=db,
        actor=actor,
        contact_id=contact_id,
        messages=messages,
        at=clock.now(),
        batch=isinstance(body, MessageBatch),
    )
    result: Page[MessageRead] = idem.remember(Page(items=[MessageRead.model_validate(m) for m in rows]))
    return result
