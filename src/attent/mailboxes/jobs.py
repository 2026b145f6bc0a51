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
import threading
import uuid
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from attent.core import claims
from attent.core.clock import Clock, SystemClock
from attent.core.db import Database
from attent.core.settings import Settings
from attent.mail import Cursor, FetchedMessage, ImapError, ImapMailbox, SecretUnreadable
from attent.mailboxes.batch import receive_batch
from attent.mailboxes.models import Mailbox
from attent.mailboxes.service import open_imap_settings

log = logging.getLogger(__name__)
MAILBOXES_PER_TICK = 20
BATCH = 100
IDLE_SECONDS = 25 * 60  # RFC 2177: IDLE is renewed within 29 minutes
RETRY_SECONDS = 5.0


def fetch_mail(*, database: Database, now: datetime, limit: int, settings: Settings) -> int:
    """Read every due mailbox once; returns how many messages were stored."""
    due_before = now - timedelta(seconds=settings.mail_poll_seconds)
    with database.unit_of_work() as db:
        query = (
            select(Mailbox)
            .where(
                Mailbox.active.is_(True),
                or_(Mailbox.last_checked_at.is_(None), Mailbox.last_checked_at <= due_before),
            )
            .order_by(Mailbox.last_checked_at)
            .limit(MAILBOXES_PER_TICK)
        )
        claimed = list(claims.claim(db, query, model=Mailbox))  # one organisation at a time, fairly
        for mailbox in claimed:
            mailbox.last_checked_at = now
        keys = [(m.organisation_id, m.id) for m in claimed]
    stored = 0
    for key in keys:
        if settings.mail_idle:
            _watch(database, key, settings)
        else:
            stored += read_mailbox(database=database, key=key, settings=settings, now=now)
    return stored


# The mailboxes this process holds an IDLE connection on: each a thread and the event that stops it.
_WATCHERS: dict[tuple[uuid.UUID, uuid.UUID], tuple[threading.Thread, threading.Event]] = {}
_WATCHERS_LOCK = threading.Lock()


def _watch(database: Database, key: tuple[uuid.UUID, uuid.UUID], settings: Settings) -> None:
    """Make sure this process watches the mailbox (IDLE); the thread reads it at once and on each new mail.

    Its heartbeat (`last_checked_at`, every half poll interval) keeps other workers from claiming it."""
    with _WATCHERS_LOCK:
        running = _WATCHERS.get(key)
        if running is not None and running[0].is_alive():
            return
        stop = threading.Event()
        thread = threading.Thread(
            target=watch_mailbox,
            kwargs={
                "database": database,
                "key": key,
                "settings": settings,
                "clock": SystemClock(),
                "stop": stop,
            },
            name=f"attent-mail-{key[1]}",
            daemon=True,
        )
        _WATCHERS[key] = (thread, stop)
        thread.start()


def stop_watching() -> None:
    """Stop every IDLE watcher of this process (tests, and a worker shutting down)."""
    with _WATCHERS_LOCK:
        for _thread, stop in _WATCHERS.values():
            stop.set()
        for thread, _ in _WATCHERS.values():
            thread.join(timeout=5)
        _WATCHERS.clear()


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
    try:
        with ImapMailbox(imap_settings) as server:
            return read_new(server, database=database, key=key, settings=settings, now=now)
    except ImapError as error:
        log.warning("mailbox %s: %s", key[1], error.detail)
        with database.unit_of_work() as db:
            mailbox = db.get(Mailbox, key)
            if mailbox is not None:
                mailbox.last_error = f"imap: {error.code}"
    return 0


def read_new(
    server: ImapMailbox,
    *,
    database: Database,
    key: tuple[uuid.UUID, uuid.UUID],
    settings: Settings,
    now: datetime,
) -> int:
    """Store what came after the mailbox's cursor over an open connection, batch by batch: each batch
    is committed with the new cursor, and only then marked seen on the server."""
    with database.unit_of_work() as db:
        mailbox = db.get(Mailbox, key)
        if mailbox is None:
            return 0
        cursor = Cursor(mailbox.uidvalidity, mailbox.last_uid or 0) if mailbox.uidvalidity else None
    stored = 0
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
    return stored


def _announced(server: ImapMailbox) -> bool:
    """Whether an answer to one of our own commands (a STORE, a SELECT) announced new mail since: imaplib
    keeps such untagged responses aside, and IDLE would not announce them again."""
    pending = getattr(getattr(server.client, "_imap", None), "untagged_responses", None)
    if not isinstance(pending, dict):
        return False
    announced = bool(pending.pop("EXISTS", None)) | bool(pending.pop("RECENT", None))
    return announced


def _heartbeat(database: Database, key: tuple[uuid.UUID, uuid.UUID], clock: Clock) -> int:
    """Tell other workers this mailbox is watched; the highest UID stored so far."""
    with database.unit_of_work() as db:
        mailbox = db.get(Mailbox, key)
        if mailbox is None:
            return 0
        mailbox.last_checked_at = clock.now()
        return mailbox.last_uid or 0


def _last_uid(database: Database, key: tuple[uuid.UUID, uuid.UUID], default: int) -> int:
    with database.sessions() as db:
        mailbox = db.get(Mailbox, key)
        return (mailbox.last_uid or 0) if mailbox is not None else default


def _store(
    db: Session, mailbox: Mailbox, messages: Sequence[FetchedMessage], settings: Settings, now: datetime
) -> int:
    return receive_batch(db=db, mailbox=mailbox, raws=[m.raw for m in messages], settings=settings, at=now)


def watch_mailbox(
    *,
    database: Database,
    key: tuple[uuid.UUID, uuid.UUID],
    settings: Settings,
    clock: Clock,
    stop: threading.Event,
    ssl_context: ssl.SSLContext | None = None,
) -> None:
    """Hold an IMAP IDLE connection on one mailbox and read it the moment the server announces mail.

    Reads once at the start and again at least every `mail_poll_seconds` (a server that drops IDLE, or
    one without it, is polled). Runs until `stop` is set; a failure is recorded on the mailbox, waited
    out for a few seconds, and the connection is made again."""
    while not stop.is_set():
        try:
            with database.unit_of_work() as db:
                mailbox = db.get(Mailbox, key)
                if mailbox is None or not mailbox.active:
                    return
                imap_settings = replace(
                    open_imap_settings(mailbox, secret_key=settings.secret_key), ssl_context=ssl_context
                )
            with ImapMailbox(imap_settings) as server:
                while not stop.is_set():
                    last_uid = _heartbeat(database, key, clock)
                    read_new(server, database=database, key=key, settings=settings, now=clock.now())
                    # Mail that arrived while we read was announced in the answers to those commands,
                    # not to IDLE: look at UIDNEXT before waiting, and read again if it moved.
                    state = server.select()
                    if state.uidnext is not None and state.uidnext - 1 > _last_uid(database, key, last_uid):
                        continue
                    if _announced(server):
                        continue
                    server.wait_for_mail(min(settings.mail_poll_seconds / 2, IDLE_SECONDS))
        except (ImapError, SecretUnreadable) as error:
            log.warning("mailbox %s: %s", key[1], error.detail)
            # "protocol": mail announced the instant IDLE began (IMAPClient refuses that answer): at once.
            stop.wait(0.05 if error.code == "protocol" else RETRY_SECONDS)
        except Exception:  # the database away, a bug: the watcher must outlive it, as the worker does
            log.exception("mailbox %s: watching failed; trying again", key[1])
            stop.wait(RETRY_SECONDS)
