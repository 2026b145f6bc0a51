"""The IMAP client against a real Dovecot (TLS, STARTTLS and plain): what test_connection says, fetching
after a UID, marking, moving, and IDLE waking when mail arrives."""

import socket
import threading
import time

import pytest

from attent.mail.imap import Cursor, ImapError, ImapMailbox, ImapSettings, Security
from attent.mail.imap import test_connection as check
from attent.mail.parsing import parse
from tests.mail_samples import fixture_names, load
from tests.mailserver import Dovecot, MailAccount, free_port


def message(n: int, body: str = "Hallo.") -> bytes:
    return (
        f"From: Klant {n} <klant{n}@example.nl>\r\nTo: support@kopjekoffie.nl\r\nSubject: Vraag {n}\r\n"
        f"Message-ID: <vraag-{n}@example.nl>\r\n\r\n{body}\r\n"
    ).encode()


def settings(
    server: Dovecot, account: MailAccount, security: Security = Security.TLS, **overrides: object
) -> ImapSettings:
    port = server.tls_port if security is Security.TLS else server.port
    values: dict[str, object] = {
        "host": server.host,
        "port": port,
        "security": security,
        "username": account.username,
        "password": account.password,
        "timeout": 5.0,
        "ssl_context": server.ssl_context(),
    }
    values.update(overrides)
    return ImapSettings(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize("security", [Security.TLS, Security.STARTTLS, Security.NONE])
def test_connection_works_over_tls_starttls_and_plain(dovecot, imap_account, security):
    imap_account.drop(message(1))
    result = check(settings(dovecot, imap_account, security))
    assert (result.ok, result.code, result.idle, result.exists) == (True, None, True, 1)


def test_wrong_password_is_a_login_failure(dovecot, imap_account):
    result = check(settings(dovecot, imap_account, password="niet-het-wachtwoord"))
    assert (result.ok, result.code) == (False, "login")
    assert result.detail == "The mail server refused the user name or password."


def test_closed_port_is_refused(dovecot, imap_account):
    result = check(settings(dovecot, imap_account, Security.NONE, port=free_port()))
    assert (result.ok, result.code) == (False, "refused")


def test_missing_folder_is_named(dovecot, imap_account):
    result = check(settings(dovecot, imap_account, folder="Klantenservice"))
    assert (result.ok, result.code) == (False, "folder")
    assert "'Klantenservice'" in result.detail


def test_tls_against_the_plain_port_is_a_tls_failure(dovecot, imap_account):
    result = check(settings(dovecot, imap_account, Security.TLS, port=dovecot.port))
    assert (result.ok, result.code) == (False, "tls")


@pytest.mark.parametrize("security", [Security.TLS, Security.STARTTLS])
def test_untrusted_certificate_is_a_tls_failure(dovecot, imap_account, security):
    result = check(settings(dovecot, imap_account, security, ssl_context=None))  # the system's CAs only
    assert (result.ok, result.code) == (False, "tls")
    assert "CERTIFICATE_VERIFY_FAILED" in result.detail


def test_plain_against_the_tls_port_times_out(dovecot, imap_account):
    result = check(settings(dovecot, imap_account, Security.NONE, port=dovecot.tls_port, timeout=0.5))
    assert (result.ok, result.code) == (False, "timeout")


def test_unknown_host_is_a_dns_failure(dovecot, imap_account, monkeypatch):
    def no_such_host(*args: object, **kwargs: object) -> object:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_such_host)  # no resolver is asked
    result = check(settings(dovecot, imap_account, host="imap.kopjekoffie.invalid"))
    assert (result.ok, result.code) == (False, "dns")
    assert "imap.kopjekoffie.invalid" in result.detail


def test_failures_raise_with_the_same_codes(dovecot, imap_account):
    with pytest.raises(ImapError) as failure, ImapMailbox(settings(dovecot, imap_account, password="x")):
        pass
    assert failure.value.code == "login"


@pytest.mark.parametrize("security", [Security.TLS, Security.NONE])
def test_fetch_after_uid_in_batches_marks_nothing(dovecot, imap_account, security):
    for n in range(1, 6):
        imap_account.drop(message(n))
    with ImapMailbox(settings(dovecot, imap_account, security)) as mailbox:
        batches = list(mailbox.fetch_new(None, max_message_bytes=1_000_000, batch_size=2))
        assert [[m.uid for m in b.messages] for b in batches] == [[1, 2], [3, 4], [5]]
        assert [b.reset for b in batches] == [True, False, False]
        assert (
            parse(batches[0].messages[0].raw, max_attachment_bytes=1, max_message_bytes=10**6).subject
            == "Vraag 1"
        )
        cursor = batches[-1].cursor
        assert cursor.last_uid == 5
        assert list(mailbox.fetch_new(cursor, max_message_bytes=1_000_000)) == []
        assert all(not flags for flags in mailbox.client.get_flags([1, 2, 3, 4, 5]).values())
        imap_account.drop(message(6))
        imap_account.drop(message(7))
        [batch] = mailbox.fetch_new(cursor, max_message_bytes=1_000_000)
        assert [m.uid for m in batch.messages] == [6, 7] and batch.cursor.last_uid == 7 and not batch.reset
        assert (
            batch.messages[0].internal_date is not None and batch.messages[0].internal_date.tzinfo is not None
        )


def test_a_changed_uidvalidity_reads_the_folder_again(dovecot, imap_account):
    imap_account.drop(message(1))
    imap_account.drop(message(2))
    with ImapMailbox(settings(dovecot, imap_account)) as mailbox:
        state = mailbox.select()
        stale = Cursor(uidvalidity=state.uidvalidity + 1, last_uid=2)
        [batch] = mailbox.fetch_new(stale, max_message_bytes=1_000_000)
        assert batch.reset and [m.uid for m in batch.messages] == [1, 2]
        assert batch.cursor == Cursor(state.uidvalidity, 2)


def test_a_message_over_the_limit_brings_only_its_header(dovecot, imap_account):
    imap_account.drop(message(1, body="groot " * 50_000))
    imap_account.drop(message(2))
    with ImapMailbox(settings(dovecot, imap_account)) as mailbox:
        [batch] = mailbox.fetch_new(None, max_message_bytes=10_000)
    big, small = batch.messages
    assert big.too_large and big.size > 300_000 and big.raw.endswith(b"\r\n\r\n") and b"groot" not in big.raw
    assert not small.too_large and small.raw.endswith(b"Hallo.\r\n")


def test_mark_seen_marks_only_the_given_messages(dovecot, imap_account):
    for n in range(1, 4):
        imap_account.drop(message(n))
    with ImapMailbox(settings(dovecot, imap_account)) as mailbox:
        list(mailbox.fetch_new(None, max_message_bytes=1_000_000))
        mailbox.mark_seen([1, 3])
        flags = mailbox.client.get_flags([1, 2, 3])
    assert [b"\\Seen" in flags[uid] for uid in (1, 2, 3)] == [True, False, True]


def test_move_takes_messages_to_a_folder_made_for_them(dovecot, imap_account):
    for n in range(1, 4):
        imap_account.drop(message(n))
    with ImapMailbox(settings(dovecot, imap_account)) as mailbox:
        list(mailbox.fetch_new(None, max_message_bytes=1_000_000))
        mailbox.move([1, 2], "Verwerkt")
        assert mailbox.client.search(["ALL"]) == [3]
        assert mailbox.select("Verwerkt").exists == 2


def test_idle_wakes_when_a_message_is_dropped_in(dovecot, imap_account):
    with ImapMailbox(settings(dovecot, imap_account)) as mailbox:
        mailbox.select()
        delivery = threading.Timer(0.2, imap_account.drop, args=(message(1),))
        started = time.monotonic()
        delivery.start()
        try:
            assert mailbox.wait_for_mail(10)
        finally:
            delivery.join()
        assert time.monotonic() - started < 5
        [batch] = mailbox.fetch_new(None, max_message_bytes=1_000_000)
        assert [m.uid for m in batch.messages] == [1]


def test_idle_returns_after_its_timeout_when_nothing_comes(dovecot, imap_account):
    with ImapMailbox(settings(dovecot, imap_account)) as mailbox:
        mailbox.select()
        started = time.monotonic()
        assert not mailbox.wait_for_mail(0.3)
        assert 0.25 < time.monotonic() - started < 3
        assert mailbox.select().exists == 0  # the connection is usable after IDLE


def test_every_fixture_comes_through_imap_and_parses_as_from_the_file(dovecot, imap_account):
    names = fixture_names()
    for name in names:
        imap_account.drop(load(name))
    with ImapMailbox(settings(dovecot, imap_account)) as mailbox:
        fetched = [
            m for batch in mailbox.fetch_new(None, max_message_bytes=1_000_000) for m in batch.messages
        ]
    assert len(fetched) == len(names)
    for name, item in zip(names, fetched, strict=True):
        direct = parse(load(name), max_attachment_bytes=10**7, max_message_bytes=10**7)
        via_imap = parse(item.raw, max_attachment_bytes=10**7, max_message_bytes=10**7)
        assert (via_imap.message_id, via_imap.new_text, via_imap.kind) == (
            direct.message_id,
            direct.new_text,
            direct.kind,
        ), name


@pytest.fixture(scope="module")
def plain_dovecot():
    """A Dovecot that offers neither IDLE nor MOVE, as some hosted servers do."""
    from tests.mailserver import dovecot_available, running_dovecot

    if not dovecot_available():
        pytest.skip("Dovecot is not installed")
    with running_dovecot(extra="imap_capability = IMAP4rev1 LITERAL+ UIDPLUS") as server:
        yield server


def test_without_idle_waiting_checks_once_and_returns(plain_dovecot):
    account = plain_dovecot.add_user()
    with ImapMailbox(settings(plain_dovecot, account)) as mailbox:
        mailbox.select()
        assert not mailbox.supports_idle
        started = time.monotonic()
        assert not mailbox.wait_for_mail(10)  # no IDLE: one NOOP, the caller polls
        assert time.monotonic() - started < 2
        account.append(message(1))
        assert mailbox.wait_for_mail(10)


def test_without_move_messages_are_copied_and_expunged(plain_dovecot):
    account = plain_dovecot.add_user()
    for n in range(1, 4):
        account.drop(message(n))
    with ImapMailbox(settings(plain_dovecot, account)) as mailbox:
        assert not mailbox.client.has_capability("MOVE")
        list(mailbox.fetch_new(None, max_message_bytes=1_000_000))
        mailbox.move([2], "Verwerkt")
        assert mailbox.client.search(["ALL"]) == [1, 3]
        assert mailbox.select("Verwerkt").exists == 1
