"""A small IMAP client for the e-mail channel, over IMAPClient: connect, check, fetch, mark, move, wait.

The worker remembers, per mailbox, the folder's UIDVALIDITY and the highest UID it has stored
(`Cursor`). `fetch_new` returns what came after it, in batches bounded by count and bytes, with
BODY.PEEK so fetching marks nothing; the caller stores a batch, commits, and only then calls
`mark_seen` or `move` and remembers the batch's cursor. A crash in between fetches the batch again,
and storing by Message-ID makes that harmless. When the server's UIDVALIDITY changed, the old UIDs
mean nothing and the folder is read from the start (again harmless, for the same reason).

Failures raise `ImapError` whose `code` names what failed, stably, for a message in the admin's
language: dns, refused, timeout, tls, login, folder, network, protocol.
"""

import contextlib
import enum
import socket
import ssl
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from types import TracebackType
from typing import Any, Self

from imapclient import SEEN, IMAPClient
from imapclient.exceptions import IMAPClientAbortError, IMAPClientError, LoginError
from imapclient.imapclient import SocketTimeout

from attent.core.errors import AttentError

SIZE_CHUNK = 500  # UIDs per FETCH command, well under servers' command-line limits (Dovecot: 64 KiB)
MAX_IDLE_SECONDS = 25 * 60  # RFC 2177: re-issue IDLE at least every 29 minutes


class Security(enum.StrEnum):
    """How the connection is protected: TLS from the first byte, STARTTLS after the greeting, or not."""

    TLS = "tls"
    STARTTLS = "starttls"
    NONE = "none"


class ImapError(AttentError):
    """The mail server could not be used; `code` is one of dns, refused, timeout, tls, login, folder,
    network, protocol."""

    status = 502
    title = "Mail server unavailable"


@dataclass(frozen=True)
class ImapSettings:
    """Where a mailbox is and how to sign in. `ssl_context` None: the system's CAs, host name checked."""

    host: str
    port: int
    security: Security
    username: str
    password: str = field(repr=False)
    folder: str = "INBOX"
    timeout: float = 30.0
    ssl_context: ssl.SSLContext | None = None


@dataclass(frozen=True)
class Cursor:
    """How far a folder has been read: its UIDVALIDITY and the highest UID stored."""

    uidvalidity: int
    last_uid: int


@dataclass(frozen=True)
class FetchedMessage:
    """One message as fetched. A message over the size limit brings only its header (`too_large`)."""

    uid: int
    raw: bytes
    size: int
    internal_date: datetime | None
    too_large: bool = False


@dataclass(frozen=True)
class Batch:
    """Messages in UID order, and the cursor to remember once they are stored and committed."""

    messages: tuple[FetchedMessage, ...]
    cursor: Cursor
    reset: bool  # the folder's UIDVALIDITY changed (or nothing was remembered): read from the start


@dataclass(frozen=True)
class FolderState:
    """What SELECT says about a folder."""

    uidvalidity: int
    uidnext: int | None
    exists: int


@dataclass(frozen=True)
class ConnectionCheck:
    """The outcome of `test_connection`: ok, or the stable code of what failed and a sentence."""

    ok: bool
    code: str | None = None
    detail: str = ""
    idle: bool = False
    exists: int = 0


def _failure(error: BaseException, settings: ImapSettings, step: str) -> ImapError:
    """Name what failed, from the exception and the step it happened in."""
    where = f"{settings.host}:{settings.port}"
    if isinstance(error, ImapError):
        return error
    if isinstance(error, socket.gaierror):
        return ImapError("dns", f"The mail server's name {settings.host} could not be found (DNS).")
    if isinstance(error, ConnectionRefusedError):
        return ImapError(
            "refused", f"{where} refused the connection; check the port, and that the server runs."
        )
    if isinstance(error, TimeoutError):
        return ImapError("timeout", f"{where} did not answer within {settings.timeout:g} seconds.")
    if isinstance(error, ssl.SSLError | ssl.CertificateError):
        reason = getattr(error, "reason", None) or str(error)
        return ImapError("tls", f"No secure (TLS) connection could be made with {where}: {reason}.")
    if isinstance(error, LoginError):
        return ImapError("login", "The mail server refused the user name or password.")
    if isinstance(error, IMAPClientAbortError):
        return ImapError("network", f"The connection to {where} was lost: {error}.")
    if isinstance(error, IMAPClientError) and step == "select":
        return ImapError("folder", f"The folder {settings.folder!r} does not exist on the mail server.")
    if isinstance(error, IMAPClientError) and "ssl" in str(error).lower():
        return ImapError("tls", f"No secure (TLS) connection could be made with {where}: {error}.")
    if isinstance(error, OSError):
        return ImapError("network", f"The connection to {where} failed: {error}.")
    return ImapError("protocol", f"The mail server at {where} answered unexpectedly: {error}.")


def _context(settings: ImapSettings) -> ssl.SSLContext:
    return settings.ssl_context or ssl.create_default_context()


class ImapMailbox:
    """One signed-in IMAP connection; use it as a context manager, from one thread."""

    def __init__(self, settings: ImapSettings) -> None:
        self.settings = settings
        self._client: Any = None

    def __enter__(self) -> Self:
        self.connect()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()

    @property
    def client(self) -> Any:
        """The IMAPClient underneath, once connected."""
        if self._client is None:
            raise ImapError("protocol", "The mailbox is not connected.")
        return self._client

    def connect(self) -> None:
        """Connect, protect the connection as configured, and sign in."""
        settings = self.settings
        step = "connect"
        try:
            client = IMAPClient(
                settings.host,
                port=settings.port,
                ssl=settings.security is Security.TLS,
                ssl_context=_context(settings) if settings.security is Security.TLS else None,
                timeout=SocketTimeout(connect=settings.timeout, read=settings.timeout),
            )
            client.normalise_times = False  # aware datetimes in the server's offset, not naive local time
            self._client = client
            if settings.security is Security.STARTTLS:
                step = "starttls"
                if not client.has_capability("STARTTLS"):
                    raise ImapError("tls", f"{settings.host}:{settings.port} does not offer STARTTLS.")
                client.starttls(_context(settings))
            step = "login"
            client.login(settings.username, settings.password)
        except (ImapError, OSError, IMAPClientError, ssl.CertificateError) as error:
            self.close()
            raise _failure(error, settings, step) from error

    def close(self) -> None:
        """Sign out and drop the connection; errors on the way out do not matter."""
        client, self._client = self._client, None
        if client is None:
            return
        try:
            client.logout()
        except (OSError, IMAPClientError):
            with contextlib.suppress(OSError, IMAPClientError):
                client.shutdown()

    def _call(self, step: str, function: Any, *args: Any) -> Any:
        try:
            return function(*args)
        except (OSError, IMAPClientError) as error:
            raise _failure(error, self.settings, step) from error

    def select(self, folder: str | None = None) -> FolderState:
        """Select a folder (the configured one by default) for reading and flagging."""
        response = self._call("select", self.client.select_folder, folder or self.settings.folder)
        return FolderState(
            uidvalidity=int(response.get(b"UIDVALIDITY", 0)),
            uidnext=int(response[b"UIDNEXT"]) if b"UIDNEXT" in response else None,
            exists=int(response.get(b"EXISTS", 0)),
        )

    @property
    def supports_idle(self) -> bool:
        """Whether the server offers IDLE (else the worker polls)."""
        return bool(self.client.has_capability("IDLE"))

    def fetch_new(
        self,
        cursor: Cursor | None,
        *,
        max_message_bytes: int,
        batch_size: int = 100,
        batch_bytes: int = 32 * 1024 * 1024,
    ) -> Iterator[Batch]:
        """Messages after `cursor` in UID order, in batches of at most `batch_size` and about `batch_bytes`.

        UID SEARCH lists the new UIDs, a FETCH of RFC822.SIZE their sizes, and each batch is then fetched
        with BODY.PEEK[] (nothing is marked seen). A message over `max_message_bytes` brings only its header.
        """
        state = self.select()
        reset = cursor is None or cursor.uidvalidity != state.uidvalidity
        last = 0 if reset or cursor is None else cursor.last_uid
        if state.exists == 0:
            return
        found = self._call("search", self.client.search, ["UID", f"{last + 1}:*"])
        # "n:*" always includes the highest UID, even below n: keep only what is really new.
        uids = sorted(uid for uid in found if uid > last)
        batch: list[tuple[int, int]] = []
        total = 0
        for start in range(0, len(uids), SIZE_CHUNK):
            chunk = uids[start : start + SIZE_CHUNK]
            sizes = self._call("fetch", self.client.fetch, chunk, ["RFC822.SIZE"])
            for uid in chunk:
                if uid not in sizes:
                    continue  # expunged meanwhile
                size = int(sizes[uid].get(b"RFC822.SIZE", 0))
                counted = min(size, max_message_bytes)
                if batch and (len(batch) >= batch_size or total + counted > batch_bytes):
                    yield self._fetch_batch(batch, state.uidvalidity, max_message_bytes, reset)
                    batch, total, reset = [], 0, False
                batch.append((uid, size))
                total += counted
        if batch:
            yield self._fetch_batch(batch, state.uidvalidity, max_message_bytes, reset)

    def _fetch_batch(
        self, batch: Sequence[tuple[int, int]], uidvalidity: int, limit: int, reset: bool
    ) -> Batch:
        whole = [uid for uid, size in batch if size <= limit]
        heads = [uid for uid, size in batch if size > limit]
        found: dict[int, Any] = {}
        if whole:
            found.update(self._call("fetch", self.client.fetch, whole, ["BODY.PEEK[]", "INTERNALDATE"]))
        if heads:
            found.update(self._call("fetch", self.client.fetch, heads, ["BODY.PEEK[HEADER]", "INTERNALDATE"]))
        messages = []
        for uid, size in batch:
            data = found.get(uid)
            if data is None:
                continue  # expunged between the two FETCHes
            raw = data.get(b"BODY[]") if uid in whole else data.get(b"BODY[HEADER]")
            messages.append(
                FetchedMessage(uid, bytes(raw or b""), size, data.get(b"INTERNALDATE"), uid in heads)
            )
        return Batch(tuple(messages), Cursor(uidvalidity, batch[-1][0]), reset)

    def mark_seen(self, uids: Sequence[int]) -> None:
        """Flag messages \\Seen in the selected folder; call only after what was fetched is committed."""
        if uids:
            self._call("store", self.client.add_flags, list(uids), [SEEN])

    def move(self, uids: Sequence[int], folder: str) -> None:
        """Move messages to `folder` (made when missing); MOVE where offered, else COPY and expunge."""
        if not uids:
            return
        client = self.client
        if not self._call("list", client.folder_exists, folder):
            self._call("create", client.create_folder, folder)
        if client.has_capability("MOVE"):
            self._call("move", client.move, list(uids), folder)
            return
        self._call("copy", client.copy, list(uids), folder)
        self._call("store", client.delete_messages, list(uids))
        if client.has_capability("UIDPLUS"):
            self._call("expunge", client.uid_expunge, list(uids))
        else:
            self._call("expunge", client.expunge)

    def wait_for_mail(self, timeout: float) -> bool:
        """Wait up to `timeout` seconds (IDLE) for the server to announce new mail; True when it did.

        Without IDLE on the server this checks once (NOOP) without waiting; the caller then polls.
        """
        client = self.client
        if not client.has_capability("IDLE"):
            return _announces_mail(self._call("noop", client.noop)[1])
        self._call("idle", client.idle)
        try:
            responses = self._call("idle", client.idle_check, min(timeout, MAX_IDLE_SECONDS))
        finally:
            done = self._call("idle", client.idle_done)
        return _announces_mail(responses) or _announces_mail(done[1])


def _announces_mail(responses: Any) -> bool:
    """Whether untagged responses include EXISTS or RECENT (a message arrived)."""
    for response in responses or ():
        if isinstance(response, tuple) and len(response) >= 2 and response[1] in (b"EXISTS", b"RECENT"):
            return True
    return False


def test_connection(settings: ImapSettings) -> ConnectionCheck:
    """Connect, sign in and open the folder; say what failed as a stable code, or what was found."""
    try:
        with ImapMailbox(settings) as mailbox:
            state = mailbox.select()
            return ConnectionCheck(ok=True, idle=mailbox.supports_idle, exists=state.exists)
    except ImapError as error:
        return ConnectionCheck(ok=False, code=error.code, detail=error.detail)


# Its name is the one the admin's button has; pytest must not mistake it for a test when imported.
setattr(test_connection, "__test__", False)  # noqa: B010
