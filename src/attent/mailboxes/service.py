"""Mailboxes: admins connect, change, test and remove them; passwords are sealed and never returned.

Ingest (`attent.mailboxes.ingest`) and the worker's fetching (`attent.mailboxes.jobs`) read mailboxes
through `open_imap_settings` here, the one place a sealed password is opened.
"""

import ssl
import uuid
from dataclasses import replace
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from attent.agents import Agent, Role, Team
from attent.agents.service import require_role
from attent.cases import Priority
from attent.core.errors import Conflict, FieldError, Invalid, NotFound
from attent.core.i18n import gettext
from attent.mail import ImapSecurity, ImapSettings, check_imap, decrypt_password, encrypt_password
from attent.mailboxes import smtpcheck
from attent.mailboxes.answer_time import reply_hours
from attent.mailboxes.conversation import Turn as Turn  # the case page's e-mail thread, for workspace/
from attent.mailboxes.conversation import conversation as conversation
from attent.mailboxes.models import InboundMail, Mailbox, Security
from attent.mailboxes.schemas import CheckRead, ConnectionTest, MailboxIn, MailboxPatch, MailboxRead
from attent.organisations.service import get_organisation

# What "Test connection" says for each failure code (msgids; the page shows them in its language).
FAILURES = {
    "dns": "The server name {host} could not be found (DNS).",
    "refused": "{host}:{port} refused the connection; check the port and that the server runs.",
    "timeout": "{host}:{port} did not answer in time.",
    "tls": "No secure (TLS) connection could be made with {host}:{port}.",
    "login": "The server refused the user name or password.",
    "folder": "The folder {folder} does not exist on the server.",
    "network": "The connection to {host}:{port} was lost.",
    "protocol": "The server at {host}:{port} answered unexpectedly.",
    "not_set": "No SMTP server is set for this mailbox; replies go through the server's own SMTP.",
}
IMAP_OK = "IMAP works: signed in and the folder {folder} was opened ({n} messages)."
SMTP_OK = "SMTP works: connected and signed in."


def _context(mailbox: Mailbox, server: str) -> str:
    return f"{mailbox.organisation_id}:{mailbox.id}:{server}"


def _seal(mailbox: Mailbox, server: str, password: str, secret_key: str) -> str:
    return encrypt_password(password, secret_key=secret_key, context=_context(mailbox, server))


def read(mailbox: Mailbox) -> MailboxRead:
    """The API's view of a mailbox: whether passwords are set, not what they are."""
    return MailboxRead(
        id=mailbox.id, address=mailbox.address, display_name=mailbox.display_name,
        language=mailbox.language, team_id=mailbox.team_id, active=mailbox.active,
        imap_host=mailbox.imap_host, imap_port=mailbox.imap_port, imap_security=mailbox.imap_security,
        imap_username=mailbox.imap_username, imap_password_set=bool(mailbox.imap_password),
        imap_folder=mailbox.imap_folder, smtp_host=mailbox.smtp_host, smtp_port=mailbox.smtp_port,
        smtp_security=mailbox.smtp_security, smtp_username=mailbox.smtp_username,
        smtp_password_set=bool(mailbox.smtp_password), last_checked_at=mailbox.last_checked_at,
        last_error=mailbox.last_error, created_at=mailbox.created_at, updated_at=mailbox.updated_at,
    )  # fmt: skip


def _check_team(db: Session, organisation_id: uuid.UUID, team_id: uuid.UUID | None) -> None:
    if team_id is not None and db.get(Team, (organisation_id, team_id)) is None:
        raise Invalid(
            "invalid_mailbox",
            "The mailbox cannot be saved as given.",
            [FieldError(("team_id",), "No team with id {id}.", {"id": team_id})],
        )


def _taken(address: str) -> Conflict:
    return Conflict("mailbox_exists", "A mailbox for {address} already exists.", address=address)


def create_mailbox(*, db: Session, actor: Agent, data: MailboxIn, secret_key: str, at: datetime) -> Mailbox:
    """Connect a new support address (admins); the passwords are sealed before they are stored."""
    require_role(actor, Role.ADMIN)
    address = str(data.address).lower()
    _check_team(db, actor.organisation_id, data.team_id)
    if find_by_address(db=db, organisation_id=actor.organisation_id, address=address) is not None:
        raise _taken(address)
    values = data.model_dump(exclude={"address", "imap_password", "smtp_password"})
    mailbox = Mailbox(
        organisation_id=actor.organisation_id, id=uuid.uuid4(), address=address, imap_password="",
        created_at=at, updated_at=at, **values,
    )  # fmt: skip
    mailbox.imap_password = _seal(mailbox, "imap", data.imap_password, secret_key)
    if data.smtp_password:
        mailbox.smtp_password = _seal(mailbox, "smtp", data.smtp_password, secret_key)
    db.add(mailbox)
    try:
        with db.begin_nested():
            db.flush()
    except IntegrityError:
        raise _taken(address) from None
    return mailbox


def get_mailbox(*, db: Session, actor: Agent, mailbox_id: uuid.UUID) -> Mailbox:
    """One mailbox of the actor's organisation (admins)."""
    require_role(actor, Role.ADMIN)
    mailbox = db.get(Mailbox, (actor.organisation_id, mailbox_id))
    if mailbox is None:
        raise NotFound("mailbox_not_found", "No mailbox with id {id} exists.", id=mailbox_id)
    return mailbox


def list_mailboxes(*, db: Session, actor: Agent) -> list[Mailbox]:
    """The organisation's mailboxes by address (admins)."""
    require_role(actor, Role.ADMIN)
    query = select(Mailbox).where(Mailbox.organisation_id == actor.organisation_id).order_by(Mailbox.address)
    return list(db.scalars(query))


def update_mailbox(
    *, db: Session, actor: Agent, mailbox_id: uuid.UUID, data: MailboxPatch, secret_key: str, at: datetime
) -> Mailbox:
    """Change what was given; a password given is sealed anew, one left out stays."""
    mailbox = get_mailbox(db=db, actor=actor, mailbox_id=mailbox_id)
    changes = data.model_dump(exclude_unset=True)
    if "team_id" in changes:
        _check_team(db, actor.organisation_id, changes["team_id"])
    for name in ("imap_host", "imap_port", "imap_security", "imap_username", "imap_folder"):
        if name in changes and changes[name] is None:
            raise Invalid(
                "invalid_mailbox",
                "The mailbox cannot be saved as given.",
                [FieldError((name,), "This field cannot be empty.")],
            )
    for name, value in changes.items():
        if name == "imap_password":
            mailbox.imap_password = _seal(mailbox, "imap", value, secret_key)
        elif name == "smtp_password":
            mailbox.smtp_password = _seal(mailbox, "smtp", value, secret_key) if value else None
        else:
            setattr(mailbox, name, value)
    mailbox.updated_at = at
    db.flush()
    return mailbox


def delete_mailbox(*, db: Session, actor: Agent, mailbox_id: uuid.UUID) -> None:
    """Remove a mailbox that never received mail; one that did is switched off instead (its mail stays)."""
    mailbox = get_mailbox(db=db, actor=actor, mailbox_id=mailbox_id)
    received = db.scalar(
        select(InboundMail.id)
        .where(InboundMail.organisation_id == mailbox.organisation_id, InboundMail.mailbox_id == mailbox.id)
        .limit(1)
    )
    if received is not None:
        mailbox.active = False
        db.flush()
        return
    db.delete(mailbox)
    db.flush()


def find_by_address(*, db: Session, organisation_id: uuid.UUID | None, address: str) -> Mailbox | None:
    """A mailbox by its address, in one organisation or (None) in any."""
    query = select(Mailbox).where(Mailbox.address == address.strip().lower())
    if organisation_id is not None:
        query = query.where(Mailbox.organisation_id == organisation_id)
    return db.scalars(query.limit(1)).first()


def open_imap_settings(mailbox: Mailbox, *, secret_key: str, timeout: float = 30.0) -> ImapSettings:
    """Where and how to sign in to a mailbox's IMAP server, its password opened."""
    password = decrypt_password(
        mailbox.imap_password, secret_key=secret_key, context=_context(mailbox, "imap")
    )
    return ImapSettings(
        host=mailbox.imap_host, port=mailbox.imap_port, security=ImapSecurity(mailbox.imap_security.value),
        username=mailbox.imap_username, password=password, folder=mailbox.imap_folder, timeout=timeout,
    )  # fmt: skip


def open_smtp_settings(
    mailbox: Mailbox, *, secret_key: str, timeout: float = 30.0
) -> smtpcheck.SmtpSettings | None:
    """Where and how to sign in to a mailbox's SMTP server, or None when it has none of its own."""
    if not mailbox.smtp_host:
        return None
    password = (
        decrypt_password(mailbox.smtp_password, secret_key=secret_key, context=_context(mailbox, "smtp"))
        if mailbox.smtp_password
        else None
    )
    security = mailbox.smtp_security or Security.STARTTLS
    port = mailbox.smtp_port or {Security.TLS: 465, Security.STARTTLS: 587, Security.NONE: 25}[security]
    return smtpcheck.SmtpSettings(
        host=mailbox.smtp_host, port=port, security=security.value, username=mailbox.smtp_username,
        password=password, timeout=timeout,
    )  # fmt: skip


def check_connection(
    *,
    db: Session,
    actor: Agent,
    mailbox_id: uuid.UUID,
    secret_key: str,
    language: str,
    at: datetime,
    ssl_context: ssl.SSLContext | None = None,
) -> ConnectionTest:
    """Try both servers; each check says in `language` what failed (DNS, refused, TLS, login, folder).

    `ssl_context`: whom to trust (the system's CAs by default; tests pass their throwaway CA)."""
    mailbox = get_mailbox(db=db, actor=actor, mailbox_id=mailbox_id)
    settings = replace(
        open_imap_settings(mailbox, secret_key=secret_key, timeout=10.0), ssl_context=ssl_context
    )
    result = check_imap(settings)
    where = {"host": mailbox.imap_host, "port": mailbox.imap_port, "folder": mailbox.imap_folder}
    template = IMAP_OK if result.ok else FAILURES.get(result.code or "", FAILURES["protocol"])
    checks = [
        CheckRead(
            server="imap", ok=result.ok, code=result.code,
            message=gettext(language, template, n=result.exists, **where),
        )
    ]  # fmt: skip
    smtp = open_smtp_settings(mailbox, secret_key=secret_key, timeout=10.0)
    if smtp is None:
        checks.append(
            CheckRead(server="smtp", ok=True, code="not_set", message=gettext(language, FAILURES["not_set"]))
        )
    else:
        code = smtpcheck.check(smtp, ssl_context=ssl_context)
        template = FAILURES.get(code, FAILURES["protocol"]) if code else SMTP_OK
        checks.append(
            CheckRead(
                server="smtp", ok=code is None, code=code,
                message=gettext(language, template, host=smtp.host, port=smtp.port, folder=""),
            )
        )  # fmt: skip
    mailbox.last_checked_at = at
    failed = [c for c in checks if not c.ok]
    mailbox.last_error = f"{failed[0].server}: {failed[0].code}" if failed else None
    db.flush()
    return ConnectionTest(ok=not failed, checks=checks)


MAX_REPLY_HOURS = 2000.0  # a year of working days: beyond that no answer time means anything


def reply_targets(*, db: Session, actor: Agent) -> dict[str, float]:
    """The organisation's reply target per priority, in business hours (admins): what acknowledgements
    promise (`answer_time.answer_by`)."""
    require_role(actor, Role.ADMIN)
    organisation = get_organisation(db=db, organisation_id=actor.organisation_id)
    return {p.value: reply_hours(organisation.settings, p) for p in Priority}


def set_reply_targets(*, db: Session, actor: Agent, hours: dict[str, float | None]) -> dict[str, float]:
    """Change the reply targets (admins), all priorities at once; each between a quarter of an hour and
    MAX_REPLY_HOURS business hours, or nothing is saved."""
    require_role(actor, Role.ADMIN)
    errors = [
        FieldError(
            (p.value,), "Enter a number of business hours from 0.25 to {max}.", {"max": int(MAX_REPLY_HOURS)}
        )
        for p in Priority
        if (value := hours.get(p.value)) is None or not 0.25 <= value <= MAX_REPLY_HOURS
    ]
    if errors:
        raise Invalid("invalid_reply_targets", "The answer times were not saved.", errors)
    organisation = get_organisation(db=db, organisation_id=actor.organisation_id)
    mail = {
        **(organisation.settings.get("mail") or {}),
        "reply_hours": {p.value: hours[p.value] for p in Priority},
    }
    organisation.settings = {**organisation.settings, "mail": mail}
    db.flush()
    return reply_targets(db=db, actor=actor)
