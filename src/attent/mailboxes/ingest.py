"""One received message into Attent: stored once by Message-ID, then put on its case (or held, or kept
raw), all in the caller's transaction.

The `inbound_mails` row is written first, in a savepoint: a second copy of the same message (fetched
again after a crash, or by a second worker at the same moment) meets the unique (organisation,
Message-ID) and is answered "duplicate" without touching anything else. The mailbox is marked seen only
after the caller committed (`attent.mailboxes.jobs`).

What becomes of a message:
- a person's mail lands on the case it answers (In-Reply-To/References, or `[#K-…]` in the subject), a
  resolved case reopening; a closed case gets a new case that names it; otherwise a new customer (from
  the From header, when the address is new) and a new case for the mailbox's team;
- an auto-reply lands on the case it answers, if any, else it is held; list and bulk mail is held;
- a sender over `mail_sender_per_minute` is held (a loop between two robots, or a flood);
- a message that cannot be read, or has no sender, is kept raw for the admin (`unreadable`);
- a delivery report (bounce) is kept as such.
Nothing is half-written: one message's trouble rolls back its own savepoint only.
"""

import hashlib
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from attent.cases import Case, CaseStatus, Priority
from attent.cases.service import open_proactive_case
from attent.channels import EmailThread
from attent.channels.service import Queued, mark_bounced, queue_messages
from attent.contacts import Channel
from attent.contacts.service import log_customer_message
from attent.core.clock import FrozenClock
from attent.core.errors import AttentError
from attent.core.settings import Settings
from attent.core.when import say_when
from attent.customers import Customer
from attent.customers.service import find_or_add_by_email
from attent.files import UploadedBy
from attent.files.service import Upload, store_attachments
from attent.mail import MailKind, ParsedMail, parse
from attent.mailboxes.answer_time import answer_by
from attent.mailboxes.kinds import MailBounced
from attent.mailboxes.models import InboundMail, Mailbox, MailState
from attent.mailboxes.threads import case_for, reference_of
from attent.organisations.service import get_organisation
from attent.promises import PromiseKind, PromiseSource
from attent.promises.service import create as create_promise
from attent.promises.service import open_follow_up, refresh_next_due
from attent.timeline.service import record_event

CASE_TYPE = "email"
MAX_SUBJECT = 300


@dataclass(frozen=True)
class Received:
    """What ingest did with one message."""

    mail_id: uuid.UUID | None
    state: MailState | None
    case_id: uuid.UUID | None = None
    new_case: bool = False
    duplicate: bool = False
    parsed: ParsedMail | None = None


def receive(*, db: Session, mailbox: Mailbox, raw: bytes, settings: Settings, at: datetime) -> Received:
    """Store one raw message from `mailbox` and put it where it belongs; a duplicate changes nothing."""
    parsed = parse(
        raw,
        max_attachment_bytes=settings.mail_max_attachment_bytes,
        max_message_bytes=settings.mail_max_message_bytes,
    )
    organisation_id = mailbox.organisation_id
    known = db.scalar(
        select(InboundMail.id).where(
            InboundMail.organisation_id == organisation_id, InboundMail.message_id == parsed.message_id
        )
    )
    if known is not None:
        return Received(known, None, duplicate=True, parsed=parsed)
    mail = mail_row(mailbox=mailbox, parsed=parsed, raw=raw, at=at)
    try:
        with db.begin_nested():
            db.add(mail)
            db.flush()
    except IntegrityError:  # the same message, stored by another worker a moment ago
        return Received(None, None, duplicate=True, parsed=parsed)
    mail.state = _place(db=db, mailbox=mailbox, mail=mail, parsed=parsed, settings=settings, at=at)
    db.flush()
    return Received(mail.id, mail.state, mail.case_id, mail.details.get("new_case", False), parsed=parsed)


def mail_row(*, mailbox: Mailbox, parsed: ParsedMail, raw: bytes, at: datetime) -> InboundMail:
    """The message's `inbound_mails` row, not yet added: unreadable until it is placed."""
    return InboundMail(
        organisation_id=mailbox.organisation_id,
        id=uuid.uuid4(),
        mailbox_id=mailbox.id,
        message_id=parsed.message_id[:260],
        state=MailState.UNREADABLE,
        kind=parsed.kind.value,
        from_address=parsed.from_address,
        from_name=parsed.from_name[:200],
        subject=parsed.subject[:MAX_SUBJECT],
        new_text=parsed.new_text,
        full_text=parsed.full_text,
        details=_details(parsed),
        raw=raw,
        received_at=at,
    )


def _details(parsed: ParsedMail) -> dict[str, Any]:
    return {
        "problems": [{"code": p.code, "detail": p.detail} for p in parsed.problems],
        "kind_reasons": list(parsed.kind_reasons),
        "attachments": [
            {"filename": a.filename, "content_type": a.content_type, "size": a.size, "flags": list(a.flags)}
            for a in parsed.attachments
        ],
        "in_reply_to": parsed.in_reply_to,
        "text_from_html": parsed.text_from_html,
        "bounce": (
            {
                "original_message_id": parsed.bounce.original_message_id,
                "recipients": [r.__dict__ for r in parsed.bounce.recipients],
            }
            if parsed.bounce
            else None
        ),
    }


def readable(parsed: ParsedMail) -> bool:
    return parsed.from_address is not None and not any(p.code == "unreadable" for p in parsed.problems)


def _over_the_limit(db: Session, mail: InboundMail, settings: Settings, at: datetime) -> bool:
    """Whether the sender sent more than the limit in the last minute (this message counted)."""
    count = db.scalar(
        select(func.count(InboundMail.id)).where(
            InboundMail.organisation_id == mail.organisation_id,
            InboundMail.from_address == mail.from_address,
            InboundMail.received_at > at - timedelta(minutes=1),
        )
    )
    return (count or 0) > settings.mail_sender_per_minute


def _place(
    *, db: Session, mailbox: Mailbox, mail: InboundMail, parsed: ParsedMail, settings: Settings, at: datetime
) -> MailState:
    if parsed.kind is MailKind.BOUNCE:
        _bounced(db=db, mail=mail, parsed=parsed, at=at)
        return MailState.BOUNCE
    if not readable(parsed):
        return MailState.UNREADABLE
    if parsed.kind in (MailKind.LIST, MailKind.BULK) or _over_the_limit(db, mail, settings, at):
        return MailState.HELD
    case = case_for(db=db, organisation_id=mailbox.organisation_id, parsed=parsed)
    if case is None and parsed.kind is MailKind.AUTO_REPLY:
        return MailState.HELD  # an out-of-office about nothing of ours: no case, no answer
    if case is None or case.status is CaseStatus.CLOSED:
        case = _new_case(db=db, mailbox=mailbox, parsed=parsed, follows=case, at=at)
        mail.details = {**mail.details, "new_case": True}
    text = parsed.new_text or parsed.subject or "(empty message)"
    said_at = parsed.date if parsed.date is not None and parsed.date <= at else at
    contact = log_customer_message(db=db, case=case, channel=Channel.EMAIL, text=text, at=at, said_at=said_at)
    mail.case_id, mail.contact_id, mail.state = case.id, contact.id, MailState.THREADED
    store_files(db=db, mail=mail, parsed=parsed, case=case, contact_id=contact.id, settings=settings, at=at)
    db.flush()  # the acknowledgement answers this message: its thread is read back from the table
    if parsed.acknowledge:
        promise_id = acknowledge(db=db, mailbox=mailbox, case=case, mail=mail, contact_id=contact.id, at=at)
        if promise_id is not None:
            mail.details = {**mail.details, "promise_id": str(promise_id)}
    return MailState.THREADED


def store_files(
    *,
    db: Session,
    mail: InboundMail,
    parsed: ParsedMail,
    case: Case,
    contact_id: uuid.UUID,
    settings: Settings,
    at: datetime,
) -> None:
    """The message's files (inline images too) onto the case, through the files domain, all or none.

    Files the parser refused (too large, a bomb) stay only in the raw message; when the files domain
    refuses the lot (over its limits), the message still lands and the reason is kept with it."""
    uploads = [
        Upload(
            filename=a.filename,
            data=a.content,
            declared_type=a.declared_type,
            content_id=a.content_id,
            inline=a.inline,
        )
        for a in parsed.attachments
        if a.refused is None and a.content
    ]
    if not uploads:
        return
    try:
        with db.begin_nested():
            stored = store_attachments(
                db, org_id=case.organisation_id, case_id=case.id, uploads=uploads, clock=FrozenClock(at),
                settings=settings, uploaded_by=UploadedBy.CUSTOMER, contact_id=contact_id,
            )  # fmt: skip
    except AttentError as error:
        problem = {"code": error.code, "detail": error.detail}
        mail.details = {**mail.details, "problems": [*mail.details.get("problems", []), problem]}
        return
    mail.details = {**mail.details, "attachment_ids": [str(a.id) for a in stored]}


def acknowledge(
    *, db: Session, mailbox: Mailbox, case: Case, mail: InboundMail, contact_id: uuid.UUID, at: datetime
) -> uuid.UUID | None:
    """Tell the customer we have their e-mail and when they will hear from us, and make that a promise.

    The answer time is the organisation's reply target for the case's priority in its business hours;
    the promise (a follow-up, from e-mail) is kept by the agent's reply reaching the customer. A case that
    already has an open follow-up gets no second acknowledgement: what they were told still stands."""
    if open_follow_up(db=db, organisation_id=case.organisation_id, case_id=case.id) is not None:
        return None
    promise_id, item = stage_acknowledgement(
        db=db, mailbox=mailbox, case=case, mail=mail, contact_id=contact_id, at=at
    )
    queue_messages(db=db, items=[item])
    refresh_next_due(db, organisation_id=case.organisation_id, case_ids=[case.id])  # flushes
    return promise_id


def stage_acknowledgement(
    *,
    db: Session,
    mailbox: Mailbox,
    case: Case,
    mail: InboundMail,
    contact_id: uuid.UUID,
    at: datetime,
    thread: EmailThread | None = None,
    customer: Customer | None = None,
) -> tuple[uuid.UUID, Queued]:
    """The acknowledgement's promise (staged) and its message, for the caller to queue (one by one, or a
    batch's together); `thread` when the caller knows how it threads (a case it just opened)."""
    organisation = get_organisation(db=db, organisation_id=case.organisation_id)
    customer = customer or db.get(Customer, (case.organisation_id, case.customer_id))
    assert customer is not None  # the composite foreign key guarantees it
    due_by = answer_by(
        settings=organisation.settings, timezone=organisation.timezone, priority=case.priority, at=at,
        team_id=case.team_id,
    )  # fmt: skip
    when = say_when(due_by, now=at, timezone=organisation.timezone, language=customer.language, sentence=True)
    promise = create_promise(
        db=db, case=case, kind=PromiseKind.FOLLOW_UP, due_by=due_by, at=at, actor=None,
        owner_id=case.owner_id, team_id=case.team_id, words=when, source=PromiseSource.EMAIL,
        contact_id=contact_id, staged=True,
    )  # fmt: skip
    item = Queued(
        case=case, customer=customer, template="mail_received", key=f"mail_received:{mail.id}", at=at,
        values={"customer_name": customer.name, "organisation": mailbox.display_name or organisation.name,
                "when": when, "case_subject": case.subject},
        data={"promise_id": str(promise.id), "automatic": "auto-replied", "mail_id": str(mail.id)},
        thread=thread,
    )  # fmt: skip
    return promise.id, item


def _bounced(*, db: Session, mail: InboundMail, parsed: ParsedMail, at: datetime) -> None:
    """A delivery report about one of ours: the message failed, and the customer's address bounces."""
    bounce = parsed.bounce
    if bounce is None or not bounce.failed or not bounce.original_message_id:
        return  # a delay warning, or a report about mail that is not ours: kept, nothing more
    recipient = bounce.first_failure
    reason = (recipient.diagnostic or recipient.status or "") if recipient else ""
    message = mark_bounced(
        db=db, organisation_id=mail.organisation_id, message_id=bounce.original_message_id,
        reason=reason or "undeliverable", at=at,
    )  # fmt: skip
    if message is None:
        return
    mail.case_id = message.case_id
    bounced = MailBounced(
        address=recipient.address if recipient else message.recipient, message_id=message.message_id,
        status=recipient.status if recipient else None, reason=reason or None,
    )  # fmt: skip
    record_event(
        db=db, organisation_id=mail.organisation_id, case_id=message.case_id, customer_id=message.customer_id,
        event=bounced, at=at, actor=None,
    )  # fmt: skip


def bouncing(*, db: Session, organisation_id: uuid.UUID, address: str) -> bool:
    """Whether mail to `address` came back as undeliverable (its last delivery report says so)."""
    reports = db.scalars(
        select(InboundMail.details)
        .where(InboundMail.organisation_id == organisation_id, InboundMail.state == MailState.BOUNCE)
        .order_by(InboundMail.received_at.desc())
        .limit(200)
    )
    for details in reports:
        for recipient in ((details or {}).get("bounce") or {}).get("recipients", []):
            if recipient.get("address") == address.lower():
                return bool(recipient.get("action") == "failed")
    return False


def _new_case(
    *, db: Session, mailbox: Mailbox, parsed: ParsedMail, follows: Case | None, at: datetime
) -> Case:
    """A new customer need: the customer (made from the From header when new) and a case for the team."""
    assert parsed.from_address is not None
    if follows is not None:
        customer_id = follows.customer_id
    else:
        customer, _ = find_or_add_by_email(
            db=db, organisation_id=mailbox.organisation_id, email=parsed.from_address,
            name=parsed.from_name, language=mailbox.language, at=at,
        )  # fmt: skip
        customer_id = customer.id
    subject = " ".join(parsed.subject.split())[:MAX_SUBJECT] or "(no subject)"
    source = f"email:{mailbox.address}"
    description = None
    if follows is not None:
        source = f"email:{mailbox.address}:follows:{follows.id}"
        description = f"Follows the closed case [#{reference_of(db=db, case=follows)}] ({follows.subject})."
    case = open_proactive_case(
        db=db, organisation_id=mailbox.organisation_id, customer_id=customer_id, subject=subject,
        description=description, type=CASE_TYPE, priority=Priority.NORMAL, team_id=mailbox.team_id,
        at=at, source=source,
    )  # fmt: skip
    reference_of(db=db, case=case)
    return case


def keep_raw(*, db: Session, mailbox: Mailbox, raw: bytes, reason: str, at: datetime) -> InboundMail | None:
    """Keep a message that ingest failed on, raw, for the admin to see (once per content)."""
    message_id = f"<{hashlib.sha256(raw).hexdigest()[:40]}@failed.attent>"
    known = db.scalar(
        select(InboundMail).where(
            InboundMail.organisation_id == mailbox.organisation_id, InboundMail.message_id == message_id
        )
    )
    if known is not None:
        return known
    mail = InboundMail(
        organisation_id=mailbox.organisation_id, id=uuid.uuid4(), mailbox_id=mailbox.id,
        message_id=message_id, state=MailState.UNREADABLE, kind="person", from_address=None, from_name="",
        subject="", new_text="", full_text="",
        details={"problems": [{"code": "ingest_failed", "detail": f"Storing it failed ({reason})."}]},
        raw=raw, received_at=at,
    )  # fmt: skip
    db.add(mail)
    db.flush()
    return mail
