"""How a message reaches a customer: a channel interface, and e-mail over SMTP as its first implementation.

SMS, WhatsApp and others implement `Channel` later; the outbox and its worker do not change.
"""

import html
import smtplib
import ssl
from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formataddr, parseaddr
from typing import Any, ClassVar, Protocol

from attent.channels.smtp import SmtpSettings, connect
from attent.core.settings import Settings
from attent.files.service import Part, read_part


@dataclass(frozen=True)
class Envelope:
    """Everything a channel needs to send one message, read from the outbox row before sending."""

    recipient: str
    subject: str
    body: str
    message_id: str
    language: str
    sender_name: str
    mail: Mapping[str, Any] = field(default_factory=dict)  # from, In-Reply-To, References (EmailThread)
    automatic: str | None = "auto-generated"  # Auto-Submitted (RFC 3834); None for a person's reply
    attachments: tuple[Part, ...] = ()  # files the message carries, read from the storage when sent


class Undeliverable(Exception):
    """The channel refused the message for good (unknown recipient, rejected content): do not retry.

    The reason is an English template and its values, so the case page says it in its reader's language;
    the mail server's own reply is one of the values, quoted as it came."""

    def __init__(self, template: str, **params: str) -> None:
        self.template, self.params = template, params
        super().__init__(template.format(**params))


class Sender(Protocol):
    """An open connection to a channel; `send` raises Undeliverable, or anything else to retry later."""

    def send(self, envelope: Envelope) -> None: ...


class Channel(Protocol):
    """A way to reach customers."""

    name: ClassVar[str]

    def connect(self) -> AbstractContextManager[Sender]:
        """Open a connection for a batch of messages."""
        ...


class _SmtpSender:
    """Sends over one SMTP connection, so a batch costs one handshake."""

    def __init__(self, smtp: smtplib.SMTP, sender: str, settings: Settings) -> None:
        self.smtp, self.sender, self.settings = smtp, sender, settings

    def send(self, envelope: Envelope) -> None:
        message = EmailMessage()
        name, address = parseaddr(self.sender)
        mail = envelope.mail
        sender = (mail.get("from_name") or envelope.sender_name or name, mail.get("from_address") or address)
        message["From"] = formataddr(sender)
        message["To"] = envelope.recipient
        message["Subject"] = envelope.subject
        message["Message-ID"] = envelope.message_id
        if mail.get("in_reply_to"):
            message["In-Reply-To"] = mail["in_reply_to"]
        if mail.get("references"):
            message["References"] = " ".join(mail["references"])
        message["Content-Language"] = envelope.language
        if envelope.automatic:
            message["Auto-Submitted"] = envelope.automatic
        message.set_content(envelope.body)
        if mail:  # written for a mailbox's thread: mail programs show the HTML part, quote as a blockquote
            message.add_alternative(as_html(envelope.body, envelope.language), subtype="html")
        for part in envelope.attachments:  # multipart/mixed: the text first, then each file
            maintype, _, subtype = part.content_type.partition("/")
            try:
                data = read_part(part, settings=self.settings)
            except FileNotFoundError:  # trying again will not bring it back
                raise Undeliverable(
                    "A file this message carries is missing from the file storage: {name}", name=part.filename
                ) from None
            message.add_attachment(data, maintype=maintype, subtype=subtype, filename=part.filename)
        try:
            refused = self.smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as exc:
            raise _refused(exc.recipients) from exc
        except smtplib.SMTPResponseException as exc:
            if 500 <= exc.smtp_code < 600:
                reply = (
                    exc.smtp_error.decode(errors="replace")
                    if isinstance(exc.smtp_error, bytes)
                    else exc.smtp_error
                )
                raise Undeliverable(
                    "The mail server refused the message: {reply}", reply=f"{exc.smtp_code} {reply}"
                ) from exc
            raise
        if refused:
            raise _refused(refused)


def as_html(body: str, language: str) -> str:
    """A simple HTML part for a plain-text message: paragraphs, and '> ' quoted lines as a blockquote.
    Everything is escaped, so nothing a customer typed becomes markup."""
    parts: list[str] = []
    run: list[str] = []
    quoting = False

    def close() -> None:
        if run:
            tag = "blockquote" if quoting else "p"
            parts.append(f"<{tag}>{'<br>'.join(run)}</{tag}>")
            run.clear()

    for line in body.strip().splitlines():
        is_quote = line.startswith(">")
        if is_quote != quoting or (not line.strip() and not quoting):
            close()
            quoting = is_quote
        if line.strip():
            run.append(html.escape(line[1:].lstrip() if is_quote else line))
    close()
    return f'<!doctype html><html lang="{html.escape(language)}"><body>{"".join(parts)}</body></html>'


def _refused(refused: dict[str, tuple[int, bytes]]) -> Undeliverable:
    reply = "; ".join(
        f"{who}: {code} {text.decode(errors='replace')}" for who, (code, text) in refused.items()
    )
    return Undeliverable("The mail server refused the address: {reply}", reply=reply)


class EmailChannel:
    """E-mail over SMTP, with STARTTLS and login when configured."""

    name: ClassVar[str] = "email"

    def __init__(self, settings: Settings) -> None:
        assert settings.smtp_host is not None
        self.settings = settings

    @contextmanager
    def connect(self) -> Iterator[Sender]:
        s = self.settings
        assert s.smtp_host is not None
        with smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=s.smtp_timeout_seconds) as smtp:
            if s.smtp_starttls:
                smtp.starttls(context=ssl.create_default_context())
            if s.smtp_username and s.smtp_password:
                smtp.login(s.smtp_username, s.smtp_password)
            yield _SmtpSender(smtp, s.smtp_from, s)


@contextmanager
def mailbox_sender(route: SmtpSettings, settings: Settings) -> Iterator[Sender]:
    """A connection to a mailbox's own SMTP server (its replies leave where its address lives)."""
    with connect(route) as smtp:
        yield _SmtpSender(smtp, settings.smtp_from, settings)


def channels_from(settings: Settings) -> dict[str, Channel]:
    """The channels this deployment can deliver over; e-mail only when an SMTP server is configured."""
    channels: dict[str, Channel] = {}
    if settings.smtp_host:
        channels[EmailChannel.name] = EmailChannel(settings)
    return channels
