"""Delivering the outbox: claim due messages, send them outside any transaction, record the outcome.

Claiming commits a lease (`locked_by`, `locked_until`) first, so a slow mail server never holds a
database lock, and a second worker skips leased messages: each message is sent by one worker. The
outcome is written only by the lease holder, in a small transaction of its own right after the
server answered for that message, before the next one is sent. If a worker dies after the mail
server accepted a message but before it recorded that, that one message goes again when the lease
runs out, with the same Message-ID, so mail systems that de-duplicate drop the copy: the window is
one message and the milliseconds between the server's answer and our commit. (Recording a batch of
up to 20 together at the end re-sent every message of the batch sent before the kill.) A message
whose lease or record fails again and again is set aside (`attent.core.setaside`) instead of
holding up the rest of the outbox.

A reply that reaches the customer keeps the case's follow-up promises it answered, at the moment it
was sent (the promise keeper, told by a ReplyDelivered event, decides which); a reply that fails for
good keeps nothing.
"""

import logging
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from attent.channels.channel import Channel, Envelope, Sender, Undeliverable, channels_from, mailbox_sender
from attent.channels.events import ReplyDelivered, SmtpOf
from attent.channels.kinds import MessageFailed, MessageSent, Telling
from attent.channels.models import MessageState, OutboundMessage
from attent.channels.smtp import SmtpSettings
from attent.core.db import Database
from attent.core.events import ask, publish
from attent.core.labels import N_
from attent.core.setaside import do_claimed
from attent.core.settings import Settings
from attent.files.service import outgoing_parts
from attent.organisations import Organisation
from attent.timeline.service import record_event

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=5)
BATCH = 20  # x the SMTP timeout stays well inside the lease
MAX_ATTEMPTS = 8
KIND = "outbound_message"
NOT_CONFIGURED = N_("No channel “{channel}” is configured on this server (for e-mail: set ATTENT_SMTP_HOST).")


@dataclass(frozen=True)
class _Claimed:
    organisation_id: uuid.UUID
    id: uuid.UUID
    channel: str
    attempts: int
    envelope: Envelope
    smtp: SmtpSettings | None = None  # the sending mailbox's own server; None: the server's ATTENT_SMTP_*


class _NotTried:
    """The lease ran short before this message's turn: release it unsent, for a later attempt."""


NOT_TRIED = _NotTried()
Outcome = Exception | _NotTried | None  # None: sent


def deliver_due_messages(*, database: Database, now: datetime, limit: int, settings: Settings) -> int:
    """Send every queued message that is due, recording each as soon as it went; returns how many went."""
    lease_holder = uuid.uuid4().hex
    due = (
        select(OutboundMessage)
        .where(
            OutboundMessage.next_attempt_at <= now,
            or_(OutboundMessage.locked_until.is_(None), OutboundMessage.locked_until < now),
        )
        .order_by(OutboundMessage.next_attempt_at)
        .limit(min(limit, BATCH))
    )
    leases = do_claimed(
        database=database,
        kind=KIND,
        query=due,
        work=lambda db, messages: _lease(db, messages, now, lease_holder, settings.secret_key),
        now=now,
    )
    claimed = [item for lease in leases for item in lease]
    if not claimed:
        return 0
    sent = 0
    for item, outcome in _send(claimed, channels_from(settings), settings):
        ours = select(OutboundMessage).where(  # the one row we leased and just sent, by primary key
            OutboundMessage.organisation_id == item.organisation_id,
            OutboundMessage.id == item.id,
            OutboundMessage.locked_by == lease_holder,
        )
        do_claimed(  # one message, one commit: a worker killed now re-sends at most this one
            database=database,
            kind=KIND,
            query=ours,
            work=partial(_record, item=item, outcome=outcome, now=now, holder=lease_holder),
            now=now,
            skip_locked=False,  # leased to us: wait for a moment's lock rather than leave it unrecorded
        )
        sent += outcome is None
    return sent


def _lease(
    db: Session, messages: Sequence[OutboundMessage], now: datetime, lease_holder: str, secret_key: str
) -> list[_Claimed]:
    """Lease claimed messages to this worker (committed before anything is sent), each with the SMTP
    server of the mailbox it is sent from, its password opened now, just before sending."""
    names = _sender_names(db, {m.organisation_id for m in messages})
    routes = {
        (m.organisation_id, address): ask(db, SmtpOf(m.organisation_id, address, secret_key))
        for m in messages
        if m.channel == "email" and (address := (m.data.get("mail") or {}).get("from_address"))
    }
    for m in messages:
        m.locked_by, m.locked_until, m.attempts = lease_holder, now + LEASE, m.attempts + 1
    return [
        _Claimed(
            m.organisation_id,
            m.id,
            m.channel,
            m.attempts,
            Envelope(
                m.recipient,
                m.subject,
                m.body,
                m.message_id,
                m.language,
                names[m.organisation_id],
                mail=m.data.get("mail") or {},
                automatic=_automatic(m),
                attachments=tuple(
                    outgoing_parts(
                        db, org_id=m.organisation_id, attachment_ids=m.data.get("attachment_ids") or []
                    )
                ),
            ),
            routes.get((m.organisation_id, (m.data.get("mail") or {}).get("from_address"))),
        )
        for m in messages
    ]  # fmt: skip


def _automatic(message: OutboundMessage) -> str | None:
    """Auto-Submitted for what Attent writes by itself (RFC 3834); an agent's reply is a person's mail."""
    if message.data.get("keeps_follow_ups"):
        return None
    automatic = message.data.get("automatic")
    return automatic if isinstance(automatic, str) else "auto-generated"


def _sender_names(db: Session, organisation_ids: set[uuid.UUID]) -> dict[uuid.UUID, str]:
    rows = db.execute(select(Organisation.id, Organisation.name).where(Organisation.id.in_(organisation_ids)))
    return {organisation_id: name for organisation_id, name in rows}


def _send(
    claimed: list[_Claimed], channels: dict[str, Channel], settings: Settings
) -> Iterator[tuple[_Claimed, Outcome]]:
    """Each message with its outcome as soon as it is known: None (sent), Undeliverable (for good),
    another error (try again later) or NOT_TRIED (released). The caller records one before the next
    is sent; the connection stays open meanwhile. Mail from a mailbox with its own SMTP server leaves
    through that server, one connection per server; the rest through the channel's own."""
    deadline = time.monotonic() + LEASE.total_seconds() / 2  # stop well before another worker may step in
    groups: dict[tuple[str, SmtpSettings | None], list[_Claimed]] = {}
    for item in claimed:
        groups.setdefault((item.channel, item.smtp), []).append(item)
    for (name, route), batch in sorted(groups.items(), key=lambda g: (g[0][0], g[0][1] is not None)):
        channel = channels.get(name)
        if channel is None and route is None:
            for item in batch:
                yield item, Undeliverable(NOT_CONFIGURED, channel=name)
            continue
        done: set[uuid.UUID] = set()
        try:
            connection: AbstractContextManager[Sender]
            if route is not None:
                connection = mailbox_sender(route, settings)
            else:
                assert channel is not None
                connection = channel.connect()
            with connection as sender:
                for item in batch:
                    outcome: Outcome = NOT_TRIED
                    if time.monotonic() <= deadline:
                        try:
                            sender.send(item.envelope)
                            outcome = None
                        except Exception as exc:
                            outcome = exc
                    done.add(item.id)
                    yield item, outcome
        except Exception as exc:  # could not connect, or the connection broke
            log.warning("channel %s: %s", name, exc)
            for item in batch:
                if item.id not in done:
                    yield item, exc


def _record(
    db: Session,
    messages: Sequence[OutboundMessage],
    *,
    item: _Claimed,
    outcome: Outcome,
    now: datetime,
    holder: str,
) -> None:
    """Write what happened, only if our lease still stands; a message we did not get to is released.

    `messages` is the row `do_claimed` locked for it (read again here by key, with the lock held)."""
    message = db.get(OutboundMessage, (item.organisation_id, item.id), with_for_update=True)
    if message is None or message.locked_by != holder or message.state is not MessageState.QUEUED:
        return
    message.locked_by, message.locked_until = None, None
    if isinstance(outcome, _NotTried):
        message.attempts -= 1
        return
    if outcome is None:
        message.state, message.sent_at, message.next_attempt_at = MessageState.SENT, now, None
        message.last_error = None
        _event(db, message, MessageSent, now)
        if message.data.get("keeps_follow_ups"):  # a reply: it reached the customer now
            agent_id = message.data.get("agent_id")
            delivered = ReplyDelivered(
                organisation_id=message.organisation_id,
                case_id=message.case_id,
                agent_id=uuid.UUID(agent_id) if agent_id else None,
                written_at=message.created_at,
                at=now,
            )
            publish(db, delivered)
        return
    message.last_error = f"{type(outcome).__name__}: {outcome}"[:2000]
    if isinstance(outcome, Undeliverable) or message.attempts >= MAX_ATTEMPTS:
        message.state, message.next_attempt_at = MessageState.FAILED, None
        _event(db, message, MessageFailed, now, **failure(outcome))
    else:
        message.next_attempt_at = now + timedelta(seconds=min(3600, 2 ** (message.attempts + 3)))


def failure(outcome: Exception) -> dict[str, Any]:
    """Why a message failed, as the timeline keeps it: the English `reason`, and its template and values
    (`said`) for the case page to say in its reader's language."""
    if isinstance(outcome, Undeliverable):
        template, params = outcome.template, {k: v[:300] for k, v in outcome.params.items()}
    else:  # attempts used up: the last error, as the system gave it
        template, params = (
            N_("Attent gave up after {n} attempts: {error}"),
            {"n": str(MAX_ATTEMPTS), "error": str(outcome)[:300]},
        )
    return {"reason": str(outcome)[:300], "said": {"template": template, "params": params}}


def _event(db: Session, message: OutboundMessage, told: type[Telling], at: datetime, **extra: Any) -> None:
    """The case's timeline shows what the customer was told, or that telling them failed."""
    event = told(
        message_id=str(message.id),
        channel=message.channel,
        subject=message.subject,
        template=message.data.get("template"),
        contact_id=message.data.get("contact_id"),
        **extra,
    )
    record_event(
        db=db,
        organisation_id=message.organisation_id,
        case_id=message.case_id,
        customer_id=message.customer_id,
        event=event,
        at=at,
        actor=None,
    )
