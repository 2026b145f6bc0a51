"""Mailboxes as the API shows and accepts them: passwords go in, never come out."""

import uuid
from datetime import datetime
from typing import Literal

from pydantic import EmailStr, Field

from attent.core.schemas import Input, Output
from attent.mailboxes.models import Security

HOST = r"^[A-Za-z0-9.\-\[\]:]{1,253}$"


class MailboxIn(Input):
    """A new mailbox: where its mail is read (IMAP) and how replies leave it (SMTP)."""

    address: EmailStr = Field(description="The support address customers write to.")
    display_name: str = Field(default="", max_length=200, description="The name replies are sent under.")
    language: Literal["nl", "en"] = "nl"
    team_id: uuid.UUID | None = Field(
        default=None, description="Where new cases go; the default team if empty."
    )
    active: bool = True
    imap_host: str = Field(pattern=HOST)
    imap_port: int = Field(default=993, ge=1, le=65535)
    imap_security: Security = Security.TLS
    imap_username: str = Field(min_length=1, max_length=254)
    imap_password: str = Field(min_length=1, max_length=2000, description="Stored encrypted; never shown.")
    imap_folder: str = Field(default="INBOX", min_length=1, max_length=200)
    smtp_host: str | None = Field(default=None, pattern=HOST)
    smtp_port: int | None = Field(default=None, ge=1, le=65535)
    smtp_security: Security | None = None
    smtp_username: str | None = Field(default=None, max_length=254)
    smtp_password: str | None = Field(default=None, max_length=2000, description="Stored encrypted.")


class MailboxPatch(Input):
    """Change some settings; a password left out stays as it is."""

    display_name: str | None = Field(default=None, max_length=200)
    language: Literal["nl", "en"] | None = None
    team_id: uuid.UUID | None = None
    active: bool | None = None
    imap_host: str | None = Field(default=None, pattern=HOST)
    imap_port: int | None = Field(default=None, ge=1, le=65535)
    imap_security: Security | None = None
    imap_username: str | None = Field(default=None, min_length=1, max_length=254)
    imap_password: str | None = Field(default=None, min_length=1, max_length=2000)
    imap_folder: str | None = Field(default=None, min_length=1, max_length=200)
    smtp_host: str | None = Field(default=None, pattern=HOST)
    smtp_port: int | None = Field(default=None, ge=1, le=65535)
    smtp_security: Security | None = None
    smtp_username: str | None = Field(default=None, max_length=254)
    smtp_password: str | None = Field(default=None, max_length=2000)


class MailboxRead(Output):
    """A mailbox's settings; whether a password is set, never the password."""

    id: uuid.UUID
    address: str
    display_name: str
    language: str
    team_id: uuid.UUID | None
    active: bool
    imap_host: str
    imap_port: int
    imap_security: Security
    imap_username: str
    imap_password_set: bool
    imap_folder: str
    smtp_host: str | None
    smtp_port: int | None
    smtp_security: Security | None
    smtp_username: str | None
    smtp_password_set: bool
    last_checked_at: datetime | None
    last_error: str | None
    created_at: datetime
    updated_at: datetime


class CheckRead(Output):
    """One server's answer to "Test connection": ok, or the stable code of what failed and a sentence."""

    server: Literal["imap", "smtp"]
    ok: bool
    code: str | None = None
    message: str


class ConnectionTest(Output):
    """Both servers tried."""

    ok: bool
    checks: list[CheckRead]
