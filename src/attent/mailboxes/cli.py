"""`attent mailbox add|list` (support addresses) and `attent mail receive` (one message from a pipe)."""

import sys
from typing import Annotated

import typer
from pydantic import ValidationError
from rich.console import Console
from sqlalchemy import select
from sqlalchemy.orm import Session

from attent.agents import Agent, Role
from attent.core.clock import SystemClock
from attent.core.db import Database
from attent.core.errors import AttentError
from attent.core.settings import get_settings
from attent.mailboxes import service
from attent.mailboxes.ingest import receive
from attent.mailboxes.models import Security
from attent.mailboxes.schemas import MailboxIn
from attent.organisations.service import find_organisation

mailbox_app = typer.Typer(
    help="Connect and list support mailboxes (IMAP in, SMTP out).", no_args_is_help=True
)
mail_app = typer.Typer(help="Take in e-mail that a mail server hands over by pipe.", no_args_is_help=True)
console = Console()
err = Console(stderr=True)


def _database() -> Database:
    settings = get_settings()
    return Database.from_url(settings.database_url, pool_size=2)


def _admin(db: Session, slug: str) -> Agent:
    """The organisation's first active admin: the CLI acts as the operator on their behalf."""
    organisation = find_organisation(db=db, slug=slug)
    admin = db.scalars(
        select(Agent)
        .where(Agent.organisation_id == organisation.id, Agent.role == Role.ADMIN, Agent.active.is_(True))
        .order_by(Agent.created_at)
        .limit(1)
    ).first()
    if admin is None:
        err.print(f"[red]{slug} has no active admin; create one first (attent agent create).[/red]")
        raise typer.Exit(code=1)
    return admin


@mailbox_app.command("add")
def mailbox_add(
    org: Annotated[str, typer.Option(help="Organisation slug.")],
    address: Annotated[str, typer.Option(help="The support address, e.g. support@kopjekoffie.nl.")],
    imap_host: Annotated[str, typer.Option(help="IMAP server, e.g. imap.kopjekoffie.nl.")],
    username: Annotated[str, typer.Option(help="IMAP user name (often the address itself).")],
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the IMAP password from standard input (required).")
    ] = False,
    imap_port: Annotated[int, typer.Option(help="IMAP port: 993 for tls, 143 for starttls or none.")] = 993,
    imap_security: Annotated[Security, typer.Option(help="tls, starttls or none.")] = Security.TLS,
    folder: Annotated[str, typer.Option(help="The folder new mail arrives in.")] = "INBOX",
    smtp_host: Annotated[
        str | None, typer.Option(help="SMTP server for replies (else ATTENT_SMTP_HOST).")
    ] = None,
    smtp_port: Annotated[int | None, typer.Option(help="SMTP port: 465 tls, 587 starttls.")] = None,
    smtp_security: Annotated[Security | None, typer.Option(help="tls, starttls or none.")] = None,
    smtp_username: Annotated[
        str | None, typer.Option(help="SMTP user name; its password is the IMAP one unless changed later.")
    ] = None,
    display_name: Annotated[str, typer.Option(help="The name replies are sent under.")] = "",
    language: Annotated[str, typer.Option(help="nl or en: the language of new customers.")] = "nl",
) -> None:
    """Connect a mailbox. The password comes from standard input, never from the command line:

    printf '%s' "$PASSWORD" | attent mailbox add --org kopje-koffie --address support@kopjekoffie.nl
    --imap-host imap.kopjekoffie.nl --username support@kopjekoffie.nl --password-stdin
    """
    if not password_stdin:
        err.print("[red]Give the password on standard input with --password-stdin.[/red]")
        raise typer.Exit(code=2)
    password = sys.stdin.readline().rstrip("\r\n")
    settings = get_settings()
    with _database().unit_of_work() as db:
        try:
            actor = _admin(db, org)
            data = MailboxIn(
                address=address, display_name=display_name, language=language,
                imap_host=imap_host, imap_port=imap_port, imap_security=imap_security, imap_username=username,
                imap_password=password, imap_folder=folder, smtp_host=smtp_host, smtp_port=smtp_port,
                smtp_security=smtp_security, smtp_username=smtp_username,
                smtp_password=password if smtp_username else None,
            )  # fmt: skip
            mailbox = service.create_mailbox(
                db=db, actor=actor, data=data, secret_key=settings.secret_key, at=SystemClock().now()
            )
        except ValidationError as exc:
            problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
            err.print(f"[red]{problems}[/red]")
            raise typer.Exit(code=1) from None
        except AttentError as exc:
            err.print(f"[red]{exc.detail}[/red]")
            raise typer.Exit(code=1) from None
        console.print(f"Mailbox {mailbox.address} connected in {org} (id {mailbox.id}).")


@mailbox_app.command("list")
def mailbox_list(org: Annotated[str, typer.Option(help="Organisation slug.")]) -> None:
    """The organisation's mailboxes and how their last check went."""
    with _database().unit_of_work() as db:
        for mailbox in service.list_mailboxes(db=db, actor=_admin(db, org)):
            checked = "ok" if mailbox.last_checked_at else "not checked yet"
            state = "off" if not mailbox.active else (mailbox.last_error or checked)
            console.print(f"{mailbox.address}\t{mailbox.imap_host}:{mailbox.imap_port}\t{state}")


@mail_app.command("receive")
def mail_receive(
    mailbox: Annotated[str, typer.Option("--mailbox", help="The address the message was delivered to.")],
) -> None:
    """Take one raw message (RFC 5322) from standard input, as a Postfix pipe or an LMTP bridge hands it.

    Exit 0 when stored (or already stored: a redelivery is harmless), 67 for an unknown mailbox (EX_NOUSER,
    which Postfix bounces), 75 for a temporary failure (EX_TEMPFAIL: the mail server tries again)."""
    raw = sys.stdin.buffer.read()
    settings = get_settings()
    try:
        with _database().unit_of_work() as db:
            found = service.find_by_address(db=db, organisation_id=None, address=mailbox)
            if found is None or not found.active:
                err.print(f"No active mailbox {mailbox}.")
                raise typer.Exit(code=67)
            received = receive(db=db, mailbox=found, raw=raw, settings=settings, at=SystemClock().now())
    except typer.Exit:
        raise
    except Exception as exc:  # the database is away, or worse: let the mail server keep it and retry
        err.print(f"Not stored, try again later: {type(exc).__name__}")
        raise typer.Exit(code=75) from None
    what = "already stored" if received.duplicate else (received.state.value if received.state else "")
    console.print(f"{received.parsed.message_id if received.parsed else ''}: {what}")
