"""Mailboxes over the API (admins): connect, list, change, remove, and test a support address."""

import uuid

from fastapi import APIRouter, Request, Response

from attent.agents import CurrentAgent
from attent.core.deps import ClockDep, DbSession, SettingsDep
from attent.core.onethread import OneThreadRoute
from attent.core.problems import reader_language
from attent.mailboxes import service
from attent.mailboxes.schemas import ConnectionTest, MailboxIn, MailboxPatch, MailboxRead

router = APIRouter(tags=["mailboxes"], route_class=OneThreadRoute)


@router.post("/mailboxes", status_code=201)
def create_mailbox(
    body: MailboxIn, db: DbSession, actor: CurrentAgent, clock: ClockDep, settings: SettingsDep
) -> MailboxRead:
    """Connect a support address; its passwords are stored encrypted and never returned."""
    mailbox = service.create_mailbox(
        db=db, actor=actor, data=body, secret_key=settings.secret_key, at=clock.now()
    )
    return service.read(mailbox)


@router.get("/mailboxes")
def list_mailboxes(db: DbSession, actor: CurrentAgent) -> list[MailboxRead]:
    """The organisation's mailboxes."""
    return [service.read(m) for m in service.list_mailboxes(db=db, actor=actor)]


@router.get("/mailboxes/{mailbox_id}")
def get_mailbox(mailbox_id: uuid.UUID, db: DbSession, actor: CurrentAgent) -> MailboxRead:
    """One mailbox's settings (whether a password is set, never the password)."""
    return service.read(service.get_mailbox(db=db, actor=actor, mailbox_id=mailbox_id))


@router.patch("/mailboxes/{mailbox_id}")
def update_mailbox(
    mailbox_id: uuid.UUID,
    body: MailboxPatch,
    db: DbSession,
    actor: CurrentAgent,
    clock: ClockDep,
    settings: SettingsDep,
) -> MailboxRead:
    """Change settings; a password left out stays as it was."""
    mailbox = service.update_mailbox(
        db=db, actor=actor, mailbox_id=mailbox_id, data=body, secret_key=settings.secret_key, at=clock.now()
    )
    return service.read(mailbox)


@router.delete("/mailboxes/{mailbox_id}", status_code=204)
def delete_mailbox(mailbox_id: uuid.UUID, db: DbSession, actor: CurrentAgent) -> Response:
    """Remove a mailbox; one that received mail is switched off instead, so its mail stays readable."""
    service.delete_mailbox(db=db, actor=actor, mailbox_id=mailbox_id)
    return Response(status_code=204)


@router.post("/mailboxes/{mailbox_id}/test")
def test_mailbox(
    mailbox_id: uuid.UUID,
    request: Request,
    db: DbSession,
    actor: CurrentAgent,
    clock: ClockDep,
    settings: SettingsDep,
) -> ConnectionTest:
    """Sign in to the IMAP and SMTP servers; each check names what failed, in the reader's language."""
    return service.check_connection(
        db=db, actor=actor, mailbox_id=mailbox_id, secret_key=settings.secret_key,
        language=reader_language(request), at=clock.now(),
    )  # fmt: skip
