"""E-mail ingest: messages per second from a real Dovecot into PostgreSQL, end to end, and the time from a
message's arrival to its case with IMAP IDLE.

    .venv/bin/python -m bench.mail_ingest --url postgresql://postgres@127.0.0.1:5432/attent_bench_mail

Part 1, throughput: N messages (10,000 by default) wait in a local Dovecot mailbox, a realistic mix: the
fixtures' shapes (replies from Outlook, Gmail, Apple Mail and phones, HTML-only, charsets, forwards,
auto-replies, lists, a bounce, a malformed one), each with its own Message-ID, new questions from
new customers, and replies to earlier ones (threaded by In-Reply-To). One process reads the mailbox as
the worker does (`attent.mailboxes.jobs.read_mailbox`: fetched, parsed, threaded, stored, acknowledged
into the outbox, marked seen) and the figure is messages per second, with the resident memory of the
process before and after. Beside it, in the same run, the parts alone on the same messages: parsing
only (`attent.mail.parse`) and fetching only (IMAP, nothing stored) — what the whole is made of.

Part 2, latency: a watcher holds IDLE on the mailbox (`watch_mailbox`); messages are dropped one at a
time and the time until the case is visible in the database is measured (median, p95).

Drops and recreates the database's `public` schema; it refuses a name without `bench` in it.
"""

import argparse
import re
import resource
import threading
import time
from datetime import UTC, datetime

from sqlalchemy import func, select, text

from attent import wiring  # noqa: F401 (the EmailThreadOf answer and every table)
from attent.agents.models import Role
from attent.agents.schemas import AgentCreate
from attent.agents.service import create_agent, create_team
from attent.channels.models import OutboundMessage
from attent.core.clock import SystemClock
from attent.core.db import Database, make_engine
from attent.core.migrate import upgrade
from attent.core.settings import Settings
from attent.mail import ImapMailbox, ImapSecurity, ImapSettings, parse
from attent.mailboxes.jobs import read_mailbox, watch_mailbox
from attent.mailboxes.models import InboundMail, Mailbox
from attent.mailboxes.schemas import MailboxIn
from attent.mailboxes.service import create_mailbox
from attent.organisations.service import create_organisation
from bench.machine import print_machine
from bench.stats import Summary
from tests.mail_samples import fixture_names, load
from tests.mailserver import running_dovecot

SAMPLE_TIMEOUT = 30.0
_MESSAGE_ID = re.compile(rb"^Message-ID:[^\r\n]*(?:\r?\n[ \t][^\r\n]*)*\r?\n", re.IGNORECASE | re.MULTILINE)


def _rss_mib() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def _with_id(raw: bytes, message_id: str) -> bytes:
    head, sep, body = raw.partition(b"\r\n\r\n") if b"\r\n\r\n" in raw else raw.partition(b"\n\n")
    head = _MESSAGE_ID.sub(b"", head + b"\n").rstrip(b"\r\n")
    return f"Message-ID: {message_id}\r\n".encode() + head + sep + body


def _question(n: int) -> bytes:
    return (
        f"From: Klant {n} <klant{n % 3000}@example.nl>\r\nTo: support@bench.example\r\n"
        f"Subject: Vraag over bestelling {n}\r\nMessage-ID: <vraag-{n}@example.nl>\r\n"
        f"Date: Mon, 23 Nov 2026 09:00:00 +0100\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        f"Goedemorgen,\r\n\r\nMijn bestelling {n} is nog niet aangekomen. Kunt u kijken waar hij is?\r\n\r\n"
        f"Met vriendelijke groet,\r\nKlant {n}\r\n"
    ).encode()


def _reply(n: int, to: int) -> bytes:
    return (
        f"From: Klant {to} <klant{to % 3000}@example.nl>\r\nTo: support@bench.example\r\n"
        f"Subject: Re: Vraag over bestelling {to}\r\nMessage-ID: <antwoord-{n}@example.nl>\r\n"
        f"In-Reply-To: <vraag-{to}@example.nl>\r\nReferences: <vraag-{to}@example.nl>\r\n"
        f"Date: Mon, 23 Nov 2026 11:00:00 +0100\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        f"Nog steeds niets ontvangen.\r\n\r\nOp ma 23 nov 2026 om 09:00 schreef Klant {to}:\r\n"
        f"> Mijn bestelling {to} is nog niet aangekomen.\r\n"
    ).encode()


def messages(count: int) -> list[bytes]:
    """The mix: of every ten, five new questions, three replies to earlier ones, two fixture shapes."""
    shapes = [load(name) for name in fixture_names() if name != "forwarded_attachment"]
    out: list[bytes] = []
    questions = 0
    for n in range(count):
        slot = n % 10
        if slot < 5 or questions == 0:
            out.append(_question(n))
            questions += 1
        elif slot < 8:
            out.append(_reply(n, to=(n // 10) * 10))
        else:
            out.append(_with_id(shapes[n % len(shapes)], f"<shape-{n}@bench.example>"))
    return out


def _reset(url: str) -> None:
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    upgrade(url)


def _mailbox(database: Database, server, account, settings: Settings) -> tuple:  # type: ignore[no-untyped-def,type-arg]
    now = datetime.now(UTC)
    with database.unit_of_work() as db:
        org = create_organisation(db=db, slug="bench-mail", name="Bench", at=now)
        admin = create_agent(
            db=db, actor=None, organisation_id=org.id, at=now,
            data=AgentCreate(email="admin@bench.example", name="Admin", role=Role.ADMIN),
        )  # fmt: skip
        team = create_team(db=db, actor=admin, name="Support", at=now)
        data = MailboxIn(
            address="support@bench.example", team_id=team.id, imap_host=server.host, imap_port=server.port,
            imap_security="none", imap_username=account.username, imap_password=account.password,
        )  # fmt: skip
        mailbox = create_mailbox(db=db, actor=admin, data=data, secret_key=settings.secret_key, at=now)
        return (mailbox.organisation_id, mailbox.id)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--latency-samples", type=int, default=30)
    args = parser.parse_args()
    if "bench" not in args.url.rsplit("/", 1)[-1]:
        raise SystemExit("refusing: the database's name must contain 'bench'")
    print_machine(args.url)
    _reset(args.url)
    settings = Settings(database_url=args.url, embedded_worker=False, mail_idle=False)
    database = Database.from_url(args.url, pool_size=4)
    raws = messages(args.messages)
    print(f"messages: {len(raws)} ({sum(map(len, raws)) / 1e6:.1f} MB)")

    started = time.perf_counter()
    for raw in raws:
        parse(
            raw,
            max_attachment_bytes=settings.mail_max_attachment_bytes,
            max_message_bytes=settings.mail_max_message_bytes,
        )
    parse_rate = len(raws) / (time.perf_counter() - started)
    print(f"parse only: {parse_rate:,.0f} messages/s")

    with running_dovecot() as server:
        account = server.add_user()
        for raw in raws:
            account.drop(raw)
        imap = ImapSettings(host=server.host, port=server.port, security=ImapSecurity.NONE,
                            username=account.username, password=account.password)  # fmt: skip
        started = time.perf_counter()
        with ImapMailbox(imap) as box:
            fetched = sum(
                len(b.messages)
                for b in box.fetch_new(None, max_message_bytes=settings.mail_max_message_bytes)
            )
        fetch_rate = fetched / (time.perf_counter() - started)
        print(f"IMAP fetch only: {fetch_rate:,.0f} messages/s ({fetched} fetched)")

        key = _mailbox(database, server, account, settings)
        rss_before = _rss_mib()
        started = time.perf_counter()
        stored = read_mailbox(database=database, key=key, settings=settings, now=datetime.now(UTC))
        elapsed = time.perf_counter() - started
        rss_after = _rss_mib()
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        with database.unit_of_work() as db:
            states = dict(
                db.execute(
                    select(InboundMail.state, func.count())
                    .where(InboundMail.organisation_id == key[0])
                    .group_by(InboundMail.state)
                ).all()
            )
            acks = db.scalar(
                select(func.count())
                .select_from(OutboundMessage)
                .where(OutboundMessage.organisation_id == key[0])
            )
        print(
            "end to end (fetch, parse, thread, store, acknowledge, mark seen): "
            f"{stored / elapsed:,.0f} messages/s "
            f"({stored} stored in {elapsed:.1f} s); {dict((k.value, v) for k, v in states.items())}; "
            f"{acks} acknowledgements queued"
        )
        print(f"memory: {rss_before:.0f} MiB before, {rss_after:.0f} MiB after, peak {peak:.0f} MiB (RSS)")

        stop = threading.Event()
        watcher = threading.Thread(
            target=watch_mailbox,
            kwargs={"database": database, "key": key, "clock": SystemClock(), "stop": stop,
                    "settings": Settings(database_url=args.url, mail_poll_seconds=600)},
            daemon=True,
        )  # fmt: skip
        watcher.start()
        time.sleep(2)
        delays = []
        for n in range(args.latency_samples):
            message_id = f"<latency-{n}@example.nl>"
            dropped = time.perf_counter()
            account.drop(_with_id(_question(10**6 + n), message_id))
            while time.perf_counter() - dropped < SAMPLE_TIMEOUT:
                with database.sessions() as db:
                    found = db.scalar(
                        select(InboundMail.id).where(
                            InboundMail.organisation_id == key[0], InboundMail.message_id == message_id
                        )
                    )
                if found is not None:
                    delays.append((time.perf_counter() - dropped) * 1000)
                    break
                time.sleep(0.01)
            else:
                print(f"  {message_id}: not stored within {SAMPLE_TIMEOUT:.0f} s")
        stop.set()
        account.drop(_question(2 * 10**6))
        watcher.join(timeout=10)
        summary = Summary.of(delays)
        print(
            f"arrival to case with IDLE: median {summary.p50:.0f} ms, p95 {summary.p95:.0f} ms, "
            f"max {summary.max:.0f} ms "
            f"({summary.n} messages)"
        )
        with database.sessions() as db:
            left = db.scalar(select(Mailbox.last_error).where(Mailbox.id == key[1]))
        if left:
            print(f"mailbox error: {left}")
    database.engine.dispose()


if __name__ == "__main__":
    main()
