"""An e-mail case's thread as a conversation (customer and us, oldest first, newest last), each received
message with its new text only and a link to the full original; and the mail an admin must look at
(held back, unreadable, bounced) for the mailbox page.
"""

import uuid
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from attent.agents import Agent, Role
from attent.cases import Case
from attent.cases.service import get_case
from attent.channels.service import messages_of_case
from attent.core.errors import NotFound
from attent.mailboxes.models import InboundMail, MailState

ASIDE = (MailState.HELD, MailState.UNREADABLE, MailState.BOUNCE)


@dataclass(frozen=True)
class Turn:
    """One message of the thread: who wrote it (customer, agent, attent), when, and what."""

    who: str
    name: str
    at: datetime
    text: str
    subject: str = ""
    mail_id: uuid.UUID | None = None  # a received message: its full original is viewable
    attachments: list[str] = field(default_factory=list)
    failed: bool = False


def conversation(*, db: Session, case: Case) -> list[Turn]:
    """The case's e-mail, received and sent, oldest first; empty for a case without received mail."""
    received = list(
        db.scalars(
            select(InboundMail)
            .where(
                InboundMail.organisation_id == case.organisation_id,
                InboundMail.case_id == case.id,
                InboundMail.state == MailState.THREADED,
            )
            .order_by(InboundMail.received_at, InboundMail.id)
        )
    )
    if not received:
        return []
    turns = [
        Turn(
            who="customer",
            name=m.from_name or m.from_address or "",
            at=m.received_at,
            text=m.new_text,
            subject=m.subject,
            mail_id=m.id,
            attachments=[a["filename"] for a in (m.details or {}).get("attachments", [])],
        )
        for m in received
    ]
    for message in messages_of_case(db=db, organisation_id=case.organisation_id, case_id=case.id):
        if message.channel != "email":
            continue
        who = "agent" if message.data.get("keeps_follow_ups") else "attent"
        turns.append(
            Turn(
                who=who,
                name="",
                at=message.created_at,
                text=message.body,
                subject=message.subject,
                failed=message.state.value == "failed",
            )
        )
    return sorted(turns, key=lambda t: (t.at, t.who != "customer"))


def get_mail(*, db: Session, actor: Agent, mail_id: uuid.UUID) -> InboundMail:
    """A received message for an agent who may see its case; one on no case only for admins."""
    mail = db.get(InboundMail, (actor.organisation_id, mail_id))
    if mail is None:
        raise NotFound("mail_not_found", "No message with id {id} exists.", id=mail_id)
    if mail.case_id is not None:
        try:
            get_case(db=db, actor=actor, case_id=mail.case_id)
        except NotFound:
            raise NotFound("mail_not_found", "No message with id {id} exists.", id=mail_id) from None
    elif actor.role is not Role.ADMIN:
        raise NotFound("mail_not_found", "No message with id {id} exists.", id=mail_id)
    return mail


def set_aside(
    *, db: Session, organisation_id: uuid.UUID, mailbox_id: uuid.UUID, limit: int = 50
) -> list[InboundMail]:
    """The mailbox's latest messages that were not put on a case, for the admin to look at."""
    return list(
        db.scalars(
            select(InboundMail)
            .where(
                InboundMail.organisation_id == organisation_id,
                InboundMail.mailbox_id == mailbox_id,
                InboundMail.state.in_(ASIDE),
            )
            .order_by(InboundMail.received_at.desc(), InboundMail.id.desc())
            .limit(limit)
        )
    )
