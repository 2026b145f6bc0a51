"""Ingest a fetched batch set-based: what one message at a time costs in round trips (~26: the row, the
customer, the case, the contact, its message, their events, the promise, the outbox row, the thread
look-ups, each flushed on its own) is paid once per batch.

Per batch: one query finds the Message-IDs already stored, one the cases the batch's messages answer
(received and sent ids, and `[#K-…]` references), one the cases among them with an open follow-up,
one the senders' customers, one the senders' messages in the last minute. Then every message is
placed in order in memory (a reply later in the batch finds the case its question opened a moment
before) and each table's new rows go out together in one flush (an executemany per table).

Every guarantee of one-by-one ingest (`attent.mailboxes.ingest.receive`) holds, because anything
unusual takes that path: a delivery report, a reply to a closed case, a message that would not parse.
Before such a message the staged rows are flushed, so it sees them, and after it what it did is read
back. A message's files are stored through the files domain right after the flush, all or none, as one
by one. The staged rows are written in a savepoint: when that fails (another worker stored one of the
messages a moment ago, or a bug) it is rolled back and the batch goes on one message at a time, where a
message that fails is kept raw alone. Marking seen stays after the caller's commit.
"""

import logging
import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, SessionTransaction

from attent.agents import Team
from attent.cases import Case, CaseStatus, Priority
from attent.cases.service import stage_proactive_case
from attent.channels import EmailThread
from attent.channels.service import Queued, cases_of_message_ids, queue_messages
from attent.contacts import Channel
from attent.contacts.service import refresh_waiting, stage_customer_message
from attent.core.settings import Settings
from attent.customers import Customer
from attent.customers.service import find_by_emails, stage_customer_from_email
from attent.mail import MailKind, ParsedMail, parse
from attent.mailboxes.ingest import (
    CASE_TYPE,
    MAX_SUBJECT,
    Received,
    keep_raw,
    mail_row,
    readable,
    receive,
    stage_acknowledgement,
    store_files,
)
from attent.mailboxes.models import CaseReference, InboundMail, Mailbox, MailState
from attent.mailboxes.threads import PREFIX, REFERENCE
from attent.organisations import Organisation
from attent.promises.service import cases_with_open_follow_up, refresh_next_due
from attent.timeline.service import flush_copying_events

log = logging.getLogger(__name__)


@dataclass
class _Known:
    """What the batch knows of its organisation, read once and kept up to date as messages are placed."""

    message_ids: set[str]
    threads: dict[str, uuid.UUID]  # a Message-ID we received or sent -> its case
    references: dict[int, uuid.UUID]  # K-number -> case
    cases: dict[uuid.UUID, Case]
    followed_up: set[uuid.UUID]  # cases with an open follow-up promise
    customers: dict[str, Customer]
    sent: Counter[str]  # messages per sender in the last minute, this batch's counted as they come
    next_reference: int | None = None
    broken: bool = False  # a staged write failed: the rest of the batch goes one message at a time
    # Rows every message reads (the organisation, the mailbox's team), held here: the session's identity
    # map keeps unchanged rows only while something else refers to them, else each read is a query.
    held: list[object] = field(default_factory=list)
    files: list[tuple[InboundMail, ParsedMail, Case, uuid.UUID]] = field(default_factory=list)
    acks: list[Queued] = field(default_factory=list)  # of the staged messages, queued at the flush


def receive_batch(
    *, db: Session, mailbox: Mailbox, raws: Sequence[bytes], settings: Settings, at: datetime
) -> int:
    """Store a batch of raw messages from `mailbox`, each where it belongs; how many were new."""
    parsed = [_parse(raw, settings) for raw in raws]
    known = _look_up(db, mailbox, [p for p in parsed if p is not None], at)
    stored = 0
    staged: list[tuple[bytes, ParsedMail]] = []
    savepoint: SessionTransaction | None = None
    for raw, message in zip(raws, parsed, strict=True):
        if known.broken or message is None:
            stored += _flush(db, savepoint, staged, known, mailbox, settings, at)
            savepoint, staged = None, []
            stored += _alone(db, mailbox, raw, message, known, settings, at)
            continue
        if message.message_id in known.message_ids:
            continue  # stored before, or earlier in this batch
        if message.from_address:
            known.sent[message.from_address] += 1
        if savepoint is None:
            savepoint = db.begin_nested()
        try:
            with db.no_autoflush:  # staged rows go out together, at the flush
                placed = _stage(db, mailbox, raw, message, known, settings, at)
        except Exception:
            log.exception("mailbox %s: staging a batch failed; storing it one message at a time", mailbox.id)
            stored += _give_up(db, savepoint, [*staged, (raw, message)], known, mailbox, settings, at)
            savepoint, staged = None, []
            continue
        if placed:
            staged.append((raw, message))
            known.message_ids.add(message.message_id)
            continue
        stored += _flush(db, savepoint, staged, known, mailbox, settings, at)
        savepoint, staged = None, []
        stored += _alone(db, mailbox, raw, message, known, settings, at)
    return stored + _flush(db, savepoint, staged, known, mailbox, settings, at)


def _parse(raw: bytes, settings: Settings) -> ParsedMail | None:
    try:
        return parse(
            raw,
            max_attachment_bytes=settings.mail_max_attachment_bytes,
            max_message_bytes=settings.mail_max_message_bytes,
        )
    except Exception:  # taken one by one, where it is kept raw for the admin
        return None


def _look_up(db: Session, mailbox: Mailbox, messages: Sequence[ParsedMail], at: datetime) -> _Known:
    """Everything the batch's placing reads, a query per kind of thing, only in the mailbox's organisation."""
    organisation_id = mailbox.organisation_id
    ids = sorted({m.message_id for m in messages})
    stored = set(
        db.scalars(
            select(InboundMail.message_id).where(
                InboundMail.organisation_id == organisation_id, InboundMail.message_id.in_(ids)
            )
        )
    )
    answered = sorted({i for m in messages for i in m.thread_ids})
    threads = dict(cases_of_message_ids(db=db, organisation_id=organisation_id, message_ids=answered))
    if answered:
        rows = db.execute(
            select(InboundMail.message_id, InboundMail.case_id).where(
                InboundMail.organisation_id == organisation_id,
                InboundMail.message_id.in_(answered),
                InboundMail.case_id.is_not(None),
            )
        )
        threads.update({message_id: case_id for message_id, case_id in rows if case_id is not None})
    numbers = sorted({n for m in messages if (n := _number(m)) is not None})
    references: dict[int, uuid.UUID] = {}
    if numbers:
        numbered = db.execute(
            select(CaseReference.number, CaseReference.case_id).where(
                CaseReference.organisation_id == organisation_id, CaseReference.number.in_(numbers)
            )
        )
        references = {number: case_id for number, case_id in numbered}
    case_ids = {*threads.values(), *references.values()}
    cases = {}
    if case_ids:
        query = select(Case).where(Case.organisation_id == organisation_id, Case.id.in_(sorted(case_ids)))
        cases = {case.id: case for case in db.scalars(query)}
    senders = sorted({m.from_address for m in messages if m.from_address})
    sent: Counter[str] = Counter()
    if senders:
        rows = db.execute(
            select(InboundMail.from_address, func.count(InboundMail.id))
            .where(
                InboundMail.organisation_id == organisation_id,
                InboundMail.from_address.in_(senders),
                InboundMail.received_at > at - timedelta(minutes=1),
            )
            .group_by(InboundMail.from_address)
        )
        sent.update({address: count for address, count in rows if address})
    held: list[object] = [db.get(Organisation, organisation_id)]
    if mailbox.team_id is not None:
        held.append(db.get(Team, (organisation_id, mailbox.team_id)))
    return _Known(
        held=held,
        message_ids=stored,
        threads=threads,
        references=references,
        cases=cases,
        followed_up=cases_with_open_follow_up(db=db, organisation_id=organisation_id, case_ids=cases.keys()),
        customers=find_by_emails(db=db, organisation_id=organisation_id, emails=senders),
        sent=sent,
    )


def _number(parsed: ParsedMail) -> int | None:
    match = REFERENCE.match(parsed.case_reference) if parsed.case_reference else None
    return int(match[1]) if match else None


def _case(db: Session, known: _Known, organisation_id: uuid.UUID, case_id: uuid.UUID) -> Case | None:
    if case_id not in known.cases:
        case = db.get(Case, (organisation_id, case_id))  # opened by a message taken one by one
        if case is None:
            return None
        known.cases[case_id] = case
    return known.cases[case_id]


def _case_for(db: Session, known: _Known, organisation_id: uuid.UUID, parsed: ParsedMail) -> Case | None:
    """As `threads.case_for`: the nearest id it answers, else the reference in its subject."""
    for message_id in parsed.thread_ids:
        if (case_id := known.threads.get(message_id)) is not None:
            return _case(db, known, organisation_id, case_id)
    number = _number(parsed)
    if number is not None and (case_id := known.references.get(number)) is not None:
        return _case(db, known, organisation_id, case_id)
    return None


def _stage(
    db: Session,
    mailbox: Mailbox,
    raw: bytes,
    parsed: ParsedMail,
    known: _Known,
    settings: Settings,
    at: datetime,
) -> bool:
    """Place one message in the session, unflushed, as `ingest.receive` would; False when it must be
    taken one by one (a bounce, a closed case). A message's files are stored after the flush."""
    if parsed.kind is MailKind.BOUNCE:
        return False
    mail = mail_row(mailbox=mailbox, parsed=parsed, raw=raw, at=at)
    if not readable(parsed):
        db.add(mail)
        return True
    over = known.sent[parsed.from_address or ""] > settings.mail_sender_per_minute
    case = None
    if not over and parsed.kind not in (MailKind.LIST, MailKind.BULK):
        case = _case_for(db, known, mailbox.organisation_id, parsed)
    if case is None and (over or parsed.kind in (MailKind.LIST, MailKind.BULK, MailKind.AUTO_REPLY)):
        mail.state = MailState.HELD
        db.add(mail)
        return True
    if case is not None and case.status is CaseStatus.CLOSED:
        return False
    thread: EmailThread | None = None
    customer: Customer | None = None
    if case is None:
        case, customer, reference = _new_case(db, mailbox, parsed, known, at)
        mail.details = {**mail.details, "new_case": True}
        thread = EmailThread(
            from_address=mailbox.address, from_name=mailbox.display_name or None, reference=reference,
            in_reply_to=mail.message_id, references=(mail.message_id,), quote=mail.new_text,
            quote_from=mail.from_name or mail.from_address, quote_at=at,
        )  # fmt: skip
    text = parsed.new_text or parsed.subject or "(empty message)"
    said_at = parsed.date if parsed.date is not None and parsed.date <= at else at
    contact = stage_customer_message(
        db=db, case=case, channel=Channel.EMAIL, text=text, at=at, said_at=said_at
    )
    mail.case_id, mail.contact_id, mail.state = case.id, contact.id, MailState.THREADED
    db.add(mail)
    known.threads[mail.message_id] = case.id
    if any(a.refused is None and a.content for a in parsed.attachments):
        known.files.append((mail, parsed, case, contact.id))  # stored once the rows they hang on are written
    if parsed.acknowledge and case.id not in known.followed_up:
        promise_id, ack = stage_acknowledgement(
            db=db, mailbox=mailbox, case=case, mail=mail, contact_id=contact.id, at=at, thread=thread,
            customer=customer,
        )  # fmt: skip
        mail.details = {**mail.details, "promise_id": str(promise_id)}
        known.followed_up.add(case.id)
        if thread is None:  # an earlier case: its thread is read from the tables, this message in it
            _write(db)
            queue_messages(db=db, items=[ack])
        else:
            known.acks.append(ack)
    return True


def _new_case(
    db: Session, mailbox: Mailbox, parsed: ParsedMail, known: _Known, at: datetime
) -> tuple[Case, Customer, str]:
    """A new need: the sender's customer (added when new) and a case for the mailbox's team, numbered."""
    assert parsed.from_address is not None
    address = parsed.from_address.strip().lower()
    customer = known.customers.get(address)
    if customer is None:
        customer = stage_customer_from_email(
            db=db, organisation_id=mailbox.organisation_id, email=address, name=parsed.from_name,
            language=mailbox.language, at=at,
        )  # fmt: skip
        known.customers[address] = customer
    case = stage_proactive_case(
        db=db, organisation_id=mailbox.organisation_id, customer_id=customer.id,
        subject=" ".join(parsed.subject.split())[:MAX_SUBJECT] or "(no subject)", description=None,
        type=CASE_TYPE, priority=Priority.NORMAL, team_id=mailbox.team_id, at=at,
        source=f"email:{mailbox.address}",
    )  # fmt: skip
    known.cases[case.id] = case
    if known.next_reference is None:
        highest = db.scalar(
            select(func.max(CaseReference.number)).where(
                CaseReference.organisation_id == mailbox.organisation_id
            )
        )
        known.next_reference = (highest or 1000) + 1
    number, known.next_reference = known.next_reference, known.next_reference + 1
    db.add(CaseReference(organisation_id=mailbox.organisation_id, case_id=case.id, number=number))
    known.references[number] = case.id
    return case, customer, f"{PREFIX}-{number}"


def _flush(
    db: Session,
    savepoint: SessionTransaction | None,
    staged: list[tuple[bytes, ParsedMail]],
    known: _Known,
    mailbox: Mailbox,
    settings: Settings,
    at: datetime,
) -> int:
    """Write the staged messages (each table in one statement); when that fails, roll them back and
    store them one by one. How many were stored."""
    if savepoint is None:
        return 0
    try:
        with db.no_autoflush:
            queue_messages(db=db, items=known.acks)
        _write(db)
        for mail, parsed, case, contact_id in known.files:  # as one by one: all of a message's or none
            store_files(
                db=db, mail=mail, parsed=parsed, case=case, contact_id=contact_id, settings=settings, at=at
            )
        savepoint.commit()
        return len(staged)
    except Exception:
        log.exception("mailbox %s: writing a batch failed; storing it one message at a time", mailbox.id)
        return _give_up(db, savepoint, staged, known, mailbox, settings, at)
    finally:
        known.acks.clear()
        known.files.clear()


def _write(db: Session) -> None:
    """Flush what is staged, each table's rows in one statement: the new customers first, because the
    unit of work orders tables by relationships (we declare none), and cases point at their customer.
    The other new rows step out of the session for that first flush and come back in their order; the
    timeline events, most of the rows, go last by COPY."""
    pending = list(db.new)
    touched: dict[uuid.UUID, set[uuid.UUID]] = {}  # organisation: its cases with new messages or promises
    for row in pending:
        case_id = getattr(row, "case_id", None)
        if case_id is not None and not isinstance(row, Customer):
            touched.setdefault(row.organisation_id, set()).add(case_id)
    if any(isinstance(row, Customer) for row in pending):
        others = [row for row in pending if not isinstance(row, Customer)]
        for row in others:
            db.expunge(row)
        db.flush()
        db.add_all(others)
    flush_copying_events(db=db)
    for organisation_id, case_ids in touched.items():  # the queue's keys, as one by one would keep them
        refresh_waiting(db, organisation_id=organisation_id, case_ids=case_ids)
        refresh_next_due(db, organisation_id=organisation_id, case_ids=case_ids)


def _give_up(
    db: Session,
    savepoint: SessionTransaction,
    staged: list[tuple[bytes, ParsedMail]],
    known: _Known,
    mailbox: Mailbox,
    settings: Settings,
    at: datetime,
) -> int:
    """Roll the staged rows back and store those messages, and the rest of the batch, one by one."""
    savepoint.rollback()
    known.broken = True
    known.acks.clear()
    known.files.clear()
    for _raw, message in staged:
        known.message_ids.discard(message.message_id)
    return sum(_alone(db, mailbox, raw, message, known, settings, at) for raw, message in staged)


def _alone(
    db: Session,
    mailbox: Mailbox,
    raw: bytes,
    parsed: ParsedMail | None,
    known: _Known,
    settings: Settings,
    at: datetime,
) -> int:
    """One message the one-by-one way (`ingest.receive`) in its own savepoint; one that breaks it is
    kept raw for the admin. What it did is read back into `known`. 1 when it was stored as new."""
    try:
        with db.begin_nested():
            received: Received | None = receive(db=db, mailbox=mailbox, raw=raw, settings=settings, at=at)
    except Exception as error:  # one bad message never stops the mailbox: keep it raw for the admin
        log.exception("mailbox %s: a message could not be stored", mailbox.id)
        with db.begin_nested():
            keep_raw(db=db, mailbox=mailbox, raw=raw, reason=type(error).__name__, at=at)
        return 0
    if parsed is not None:
        known.message_ids.add(parsed.message_id)
    if received is None or received.duplicate:
        return 0
    if parsed is not None and received.case_id is not None:
        known.threads[parsed.message_id[:260]] = received.case_id
        if received.new_case:  # it may have added the customer and numbered the case
            known.next_reference = None
            address = (parsed.from_address or "").strip().lower()
            known.customers.update(
                find_by_emails(db=db, organisation_id=mailbox.organisation_id, emails=[address])
            )
        known.followed_up.update(
            cases_with_open_follow_up(
                db=db, organisation_id=mailbox.organisation_id, case_ids=[received.case_id]
            )
        )
    return 1
