"""Putting messages to customers in the outbox, in the transaction that decided to send them."""

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from sqlalchemy import select
from sqlalchemy.orm import Session

from attent.cases import Case, CasesMerged
from attent.channels.events import EmailThread, EmailThreadOf, ReplyBounced
from attent.channels.kinds import MessageFailed, MessageNotSent
from attent.channels.models import MessageState, OutboundMessage
from attent.channels.render import MESSAGES, render_message
from attent.core.db import repoint
from attent.core.events import ask, publish
from attent.core.labels import N_
from attent.core.settings import get_settings
from attent.customers import Customer
from attent.organisations import Organisation
from attent.timeline.service import record_case_event, record_event

# How each channel finds a customer's address, in order of preference; SMS joins with the phone number.
ADDRESSES: dict[str, Callable[[Customer], str | None]] = {"email": lambda customer: customer.email}


def reach(customer: Customer) -> tuple[str, str] | None:
    """The first channel we have an address for: (channel, address)."""
    for channel, address_of in ADDRESSES.items():
        if address := address_of(customer):
            return channel, address
    return None


def queue_message(
    *,
    db: Session,
    case: Case,
    customer: Customer,
    template: str,
    values: dict[str, Any],
    key: str,
    at: datetime,
    data: dict[str, Any] | None = None,
) -> OutboundMessage | None:
    """Render and queue one message; the same `key` twice queues it once. None when we cannot reach them."""
    item = Queued(case=case, customer=customer, template=template, values=values, key=key, at=at, data=data)
    [message] = queue_messages(db=db, items=[item])
    db.flush()
    return message


@dataclass(frozen=True)
class Queued:
    """One message to queue: `thread`, when the caller already knows how it threads (e-mail ingest, for
    the case it just opened), spares asking the mailboxes domain for it."""

    case: Case
    customer: Customer
    template: str
    values: dict[str, Any]
    key: str
    at: datetime
    data: dict[str, Any] | None = None
    thread: EmailThread | None = None


def queue_messages(*, db: Session, items: Sequence[Queued]) -> list[OutboundMessage | None]:
    """Render and queue many messages with one look-up of their keys, unflushed (the caller's flush
    writes them in one statement); a key already queued gives the message queued under it."""
    keys: dict[tuple[uuid.UUID, str], OutboundMessage] = {}
    by_organisation: dict[uuid.UUID, list[str]] = {}
    for item in items:
        by_organisation.setdefault(item.case.organisation_id, []).append(item.key)
    for organisation_id, wanted in by_organisation.items():
        query = select(OutboundMessage).where(
            OutboundMessage.organisation_id == organisation_id, OutboundMessage.key.in_(wanted)
        )
        keys.update({(organisation_id, m.key): m for m in db.scalars(query)})
    return [_queue_one(db, item, keys) for item in items]


def _queue_one(
    db: Session, item: Queued, keys: dict[tuple[uuid.UUID, str], OutboundMessage]
) -> OutboundMessage | None:
    case, customer, template, at = item.case, item.customer, item.template, item.at
    existing = keys.get((case.organisation_id, item.key))
    if existing is not None:
        return existing
    data = {"template": template, **(item.data or {})}
    target = reach(customer)
    if target is None:
        unsent = MessageNotSent(template=template, contact_id=data.get("contact_id"))
        record_case_event(db=db, case=case, event=unsent, at=at, actor=None)
        return None
    values = {"case_link": case_link(db, case), **item.values}
    subject, body = render_message(template=template, language=customer.language, values=values)
    if target[0] == "email":
        subject, body, data = _threaded(db, case, subject, body, data, customer.language, item.thread)
    message_id = uuid.uuid4()
    message = OutboundMessage(
        organisation_id=case.organisation_id,
        key=item.key,
        case_id=case.id,
        customer_id=customer.id,
        channel=target[0],
        recipient=target[1],
        language=customer.language,
        template=template,
        subject=subject,
        body=body,
        message_id=f"<{message_id}@attent>",
        data=data,
        state=MessageState.QUEUED,
        next_attempt_at=at,
        created_at=at,
    )
    db.add(message)
    keys[(case.organisation_id, item.key)] = message  # the same key twice in one call queues it once
    return message


def case_path(slug: str, case_id: uuid.UUID) -> str:
    """Where a customer's case is on the customer page (`attent.portal`), relative to Attent's address.

    Every e-mail about a case links there ("Bekijk uw vraag"): the page's plain address, never one
    that signs in by itself. An e-mail is forwarded, quoted and scanned, and whoever has it must still
    ask for a sign-in link, which only reaches the customer's own address; opened without a session,
    the page leads to sign-in and, after the e-mailed link, back to the case.
    """
    return f"/help/{slug}/mine/{case_id}"


def case_link(db: Session, case: Case) -> str:
    """ "Bekijk uw vraag": the case on the customer page, at ATTENT_PUBLIC_URL; empty (the e-mail goes
    without it) when that is not set, since a worker has no request to learn the address from and a
    guess could point at an inside address."""
    base = get_settings().public_url
    organisation = db.get(Organisation, case.organisation_id)
    if not base or organisation is None:
        return ""
    return base.rstrip("/") + case_path(organisation.slug, case.id)


def _threaded(
    db: Session,
    case: Case,
    subject: str,
    body: str,
    data: dict[str, Any],
    language: str,
    known: EmailThread | None = None,
) -> tuple[str, str, dict[str, Any]]:
    """An e-mail written to thread: the case reference in the subject, the ids it answers, the mailbox it
    comes from, and under a reply the customer's last message quoted (as mail programs do)."""
    thread = known if known is not None else ask(db, EmailThreadOf(case.organisation_id, case.id))
    if thread is None:
        return subject, body, data
    if thread.reference and f"[#{thread.reference}]" not in subject:
        subject = f"{subject} [#{thread.reference}]"[:300]
    if data.get("template") == "reply" and thread.quote:
        organisation = db.get(Organisation, case.organisation_id)
        zone = organisation.timezone if organisation is not None else "UTC"
        body = body + "\n" + quoted(thread.quote, thread.quote_from or "", thread.quote_at, language, zone)
    mail = {
        "from_address": thread.from_address,
        "from_name": thread.from_name,
        "in_reply_to": thread.in_reply_to,
        "references": list(thread.references),
    }
    return subject, body, {**data, "mail": mail}


def quoted(text: str, who: str, at: datetime | None, language: str, zone: str) -> str:
    """'Op 23 nov 2026 09:12 schreef Marieke:' and the text with '> ' before each line."""
    when = format_datetime(at, "d MMM y HH:mm", tzinfo=ZoneInfo(zone), locale=language) if at else ""
    said = (f"On {when}, {who} wrote:" if language == "en" else f"Op {when} schreef {who}:").replace(
        "  ", " "
    )
    lines = "\n".join(f"> {line}" if line else ">" for line in text.strip().splitlines())
    return f"{said}\n{lines}\n"


def messages_of_case(*, db: Session, organisation_id: uuid.UUID, case_id: uuid.UUID) -> list[OutboundMessage]:
    """Every message to the customer about one case, oldest first."""
    return list(
        db.scalars(
            select(OutboundMessage)
            .where(OutboundMessage.organisation_id == organisation_id, OutboundMessage.case_id == case_id)
            .order_by(OutboundMessage.created_at, OutboundMessage.id)
        )
    )


def languages_missing(template: str) -> list[str]:
    """The languages a message template has no text for (a rule may only send a template that exists)."""
    return [lang for lang in ("nl", "en") if not (MESSAGES / lang / f"{template}.txt").exists()]


def cases_merged(db: Session, event: CasesMerged) -> None:
    """A case was merged into another (subscribed in `attent.wiring`): its outgoing messages move."""
    repoint(
        db, OutboundMessage, organisation_id=event.organisation_id, old=event.merged_id, new=event.kept_id
    )


def cases_of_message_ids(
    *, db: Session, organisation_id: uuid.UUID, message_ids: Sequence[str]
) -> dict[str, uuid.UUID]:
    """The case each of our sent Message-IDs belongs to, in one organisation only (a forged In-Reply-To
    naming another organisation's message finds nothing)."""
    if not message_ids:
        return {}
    rows = db.execute(
        select(OutboundMessage.message_id, OutboundMessage.case_id).where(
            OutboundMessage.organisation_id == organisation_id,
            OutboundMessage.message_id.in_(list(message_ids)),
        )
    )
    return {message_id: case_id for message_id, case_id in rows}


BOUNCED = N_("The customer's mail server returned the message: {reply}")


def mark_bounced(
    *, db: Session, organisation_id: uuid.UUID, message_id: str, reason: str, at: datetime
) -> OutboundMessage | None:
    """One of our messages came back (a delivery report): it failed, with the server's reason, even if
    the outbox had recorded it sent. None when the id is not ours (in this organisation)."""
    message = db.scalars(
        select(OutboundMessage)
        .where(OutboundMessage.organisation_id == organisation_id, OutboundMessage.message_id == message_id)
        .limit(1)
    ).first()
    if message is None or message.state is MessageState.FAILED:
        return message
    sent_at = message.sent_at if message.state is MessageState.SENT else None
    message.state, message.next_attempt_at, message.last_error = MessageState.FAILED, None, reason[:2000]
    message.locked_by = message.locked_until = None
    failed = MessageFailed(
        message_id=str(message.id), channel=message.channel, subject=message.subject,
        template=message.data.get("template"), contact_id=message.data.get("contact_id"),
        reason=f"The customer's mail server returned the message: {reason}"[:300],
        said={"template": BOUNCED, "params": {"reply": reason[:300]}},
    )  # fmt: skip
    record_event(
        db=db, organisation_id=organisation_id, case_id=message.case_id, customer_id=message.customer_id,
        event=failed, at=at, actor=None,
    )  # fmt: skip
    if sent_at is not None and message.data.get("keeps_follow_ups"):  # it kept promises when it went
        publish(db, ReplyBounced(organisation_id, message.case_id, sent_at, reason[:300], at))
    db.flush()
    return message
