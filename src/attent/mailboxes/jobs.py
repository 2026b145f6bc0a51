"""The worker's e-mail step: read new mail from every active mailbox and ingest it.

A mailbox is due when it was last read `mail_poll_seconds` ago. Claiming it commits the new
`last_checked_at` first (with SKIP LOCKED on PostgreSQL), so two workers never read one mailbox at
once and no database lock is held while the IMAP server answers. Each batch of fetched messages is
stored in one transaction, one savepoint per message, with the folder's cursor; the messages are
marked seen on the server only after that commit. A message that breaks ingest is kept raw for the
admin and the rest of the batch goes on; a mailbox that cannot be reached records why and the other
mailboxes are read as usual.
"""

import logging
import ssl
import uuid
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from attent.core.db import Database, claim_rows
from attent.core.settings import Settings
from attent.mail import Cursor, FetchedMessage, ImapError, ImapMailbox, SecretUnreadable
from attent.mailboxes.ingest import keep_raw, receive
from attent.mailboxes.models import Mailbox
from attent.mailboxes.service import open_imap_settings

log = logging.getLogger(__name__)
MAILBOXES_PER_TICK = 20
BATCH = 100


def fetch_mail(*, database: Database, now: datetime, limit: int, settings: Settings) -> int:
    """Read every due mailbox once; returns how many messages were stored."""
    due_before = now - timedelta(seconds=settings.mail_poll_seconds)
    with database.unit_of_work() as db:
        query = claim_rows(
            select(Mailbox)
            .where(
                Mailbox.active.is_(True),
                or_(Mailbox.last_checked_at.is_(None), Mailbox.last_checked_at <= due_before),
            )
            .order_by(Mailbox.last_checked_at)
            .limit(MAILBOXES_PER_TICK),
            db,
        )
        claimed = list(db.scalars(query))
        for mailbox in claimed:
            mailbox.last_checked_at = now
        keys = [(m.organisation_id, m.id) for m in claimed]
    stored = 0
    for key in keys:
        stored += read_mailbox(database=database, key=key, settings=settings, now=now)
    return stored


def read_mailbox(
    *,
    database: Database,
    key: tuple[uuid.UUID, uuid.UUID],
    settings: Settings,
    now: datetime,
    ssl_context: ssl.SSLContext | None = None,
) -> int:
    """Fetch and ingest what is new in one mailbox; its trouble is recorded on it, never raised.

    `ssl_context`: whom to trust (the system's CAs by default; tests pass their throwaway CA)."""
    with database.unit_of_work() as db:
        mailbox = db.get(Mailbox, key)
        if mailbox is None:
            return 0
        try:
            imap_settings = open_imap_settings(mailbox, secret_key=settings.secret_key)
        except SecretUnreadable as error:
            mailbox.last_error = f"imap: {error.code}"
            return 0
        if ssl_context is not None:
            imap_settings = replace(imap_settings, ssl_context=ssl_context)
        cursor = Cursor(mailbox.uidvalidity, mailbox.last_uid or 0) if mailbox.uidvalidity else None
    stored = 0
    try:
        with ImapMailbox(imap_settings) as server:
            for batch in server.fetch_new(
                cursor, max_message_bytes=settings.mail_max_message_bytes, batch_size=BATCH
            ):
                with database.unit_of_work() as db:
                    mailbox = db.get(Mailbox, key)
                    assert mailbox is not None
                    stored += _store(db, mailbox, batch.messages, settings, now)
                    mailbox.uidvalidity, mailbox.last_uid = batch.cursor.uidvalidity, batch.cursor.last_uid
                    mailbox.last_error = None
                server.mark_seen([m.uid for m in batch.messages])  # only now: what we stored is committed
    except ImapError as error:
        log.warning("mailbox %s: %s", key[1], error.detail)
        with database.unit_of_work() as db:
            mailbox = db.get(Mailbox, key)
            if mailbox is not None:
                mailbox.last_error = f"imap: {error.code}"
    return stored


def _store(
    db: Session, mailbox: Mailbox, messages: Sequence[FetchedMessage], settings: Settings, now: datetime
) -> int:
    stored = 0
    for message in messages:
        try:
            with db.begin_nested():
                received = receive(db=db, mailbox=mailbox, raw=message.raw, settings=settings, at=now)
        except Exception as error:  # one bad message never stops the mailbox: keep it raw for the admin
            log.exception("mailbox %s: message uid %s could not be stored", mailbox.id, message.uid)
            with db.begin_nested():
                keep_raw(db=db, mailbox=mailbox, raw=message.raw, reason=type(error).__name__, at=now)
            continue
        stored += not received.duplicate
    return stored
