"""Replies from a mailbox leave through the mailbox's own SMTP server (signed in with its sealed password,
opened at send time); the server's ATTENT_SMTP_* carries the rest. Real SMTP servers (aiosmtpd)."""

from collections.abc import Iterator

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from sqlalchemy import select

from attent.core.settings import Settings
from attent.mailboxes import Mailbox
from attent.mailboxes.ingest import receive
from attent.mailboxes.schemas import MailboxIn
from attent.mailboxes.service import create_mailbox
from tests.conftest import Mailbox as SmtpServer
from tests.conftest import free_port

SECRET = "dev-only-change-me"


class _Logins:
    """Accepts one user name and password, and remembers who signed in."""

    def __init__(self, username: str, password: str) -> None:
        self.expected, self.seen = (username, password), []

    def __call__(self, server, session, envelope, mechanism, auth_data) -> AuthResult:
        assert isinstance(auth_data, LoginPassword)
        given = (auth_data.login.decode(), auth_data.password.decode())
        self.seen.append(given)
        return AuthResult(success=given == self.expected)


@pytest.fixture
def own_server() -> Iterator[tuple[SmtpServer, _Logins]]:
    """The mailbox's own SMTP server, which lets only its own login in."""
    box, logins = SmtpServer(port=free_port()), _Logins("support@kopjekoffie.nl", "geheim-smtp")
    controller = Controller(
        box, hostname=box.host, port=box.port, authenticator=logins, auth_require_tls=False
    )
    controller.start()
    try:
        yield box, logins
    finally:
        controller.stop()


def _mail(n: int) -> bytes:
    return (
        f"From: Klant {n} <klant{n}@example.nl>\r\nTo: support@kopjekoffie.nl\r\nSubject: Vraag {n}\r\n"
        f"Message-ID: <vraag-{n}@example.nl>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        "Waar blijft het?\r\n"
    ).encode()


def test_a_mailboxs_mail_leaves_through_its_own_smtp_and_the_rest_through_the_servers(
    db, database, tenant, clock, mailbox, own_server
):
    from attent.channels.jobs import deliver_due_messages

    own, logins = own_server
    data = MailboxIn(
        address="support@kopjekoffie.nl", imap_host="imap.example", imap_username="support",
        imap_password="x",
        smtp_host=own.host, smtp_port=own.port, smtp_security="none", smtp_username="support@kopjekoffie.nl",
        smtp_password="geheim-smtp",
    )  # fmt: skip
    box = create_mailbox(db=db, actor=tenant.admin, data=data, secret_key=SECRET, at=clock.now())
    db.flush()
    stored = db.scalar(select(Mailbox.smtp_password).where(Mailbox.id == box.id))
    assert stored and "geheim-smtp" not in stored  # sealed at rest, opened only to send
    settings = mailbox.settings(secret_key=SECRET, mail_idle=False)
    receive(db=db, mailbox=box, raw=_mail(1), settings=settings, at=clock.now())
    db.commit()

    assert deliver_due_messages(database=database, now=clock.now(), limit=20, settings=settings) == 1
    [ack] = own.messages
    assert ack["To"] == "klant1@example.nl" and "support@kopjekoffie.nl" in ack["From"]
    assert logins.seen == [("support@kopjekoffie.nl", "geheim-smtp")]
    assert mailbox.messages == []  # not through the server's ATTENT_SMTP_*

    box.smtp_host = None  # a mailbox without SMTP of its own: the server's carries its mail
    receive(db=db, mailbox=box, raw=_mail(2), settings=settings, at=clock.now())
    db.commit()
    assert deliver_due_messages(database=database, now=clock.now(), limit=20, settings=settings) == 1
    [fallback] = mailbox.messages
    assert fallback["To"] == "klant2@example.nl" and len(own.messages) == 1


def test_a_mailbox_whose_smtp_refuses_its_login_keeps_the_mail_queued(
    db, database, tenant, clock, own_server
):
    from attent.channels.jobs import deliver_due_messages
    from attent.channels.models import MessageState, OutboundMessage

    own, _logins = own_server
    data = MailboxIn(
        address="support@kopjekoffie.nl", imap_host="imap.example", imap_username="support",
        imap_password="x",
        smtp_host=own.host, smtp_port=own.port, smtp_security="none", smtp_username="support@kopjekoffie.nl",
        smtp_password="fout",
    )  # fmt: skip
    box = create_mailbox(db=db, actor=tenant.admin, data=data, secret_key=SECRET, at=clock.now())
    settings = Settings(embedded_worker=False, mail_idle=False, secret_key=SECRET)  # no server SMTP at all
    receive(db=db, mailbox=box, raw=_mail(3), settings=settings, at=clock.now())
    db.commit()
    assert deliver_due_messages(database=database, now=clock.now(), limit=20, settings=settings) == 0
    db.expire_all()
    [queued] = db.scalars(select(OutboundMessage).where(OutboundMessage.recipient == "klant3@example.nl"))
    assert queued.state is MessageState.QUEUED and own.messages == []  # tried again later, not lost
