"""Mailboxes (an organisation's support address: IMAP in, SMTP out) and the mail they received.

`InboundMail` is the idempotency record of ingest: one row per Message-ID per organisation, written in
the transaction that stores the message on its case, so a message fetched twice (after a crash, or by
two workers) makes one. `CaseReference` gives each e-mail case the short number our subjects carry
(`[#K-1042]`), per organisation.
"""

import enum
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKeyConstraint, Index, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from attent.core.db import Base, TenantMixin, str_enum


class Security(enum.StrEnum):
    """How a connection to a mail server is protected."""

    TLS = "tls"
    STARTTLS = "starttls"
    NONE = "none"


class Mailbox(TenantMixin, Base):
    """One support address. Passwords are sealed (`attent.mail.crypto`) and never leave the server."""

    __tablename__ = "mailboxes"
    __table_args__ = (
        ForeignKeyConstraint(["organisation_id"], ["organisations.id"]),
        ForeignKeyConstraint(["organisation_id", "team_id"], ["teams.organisation_id", "teams.id"]),
        UniqueConstraint("organisation_id", "address"),
        Index("ix_mailboxes_address", "address"),
    )

    address: Mapped[str] = mapped_column(String(254))
    display_name: Mapped[str] = mapped_column(String(200), default="")
    language: Mapped[str] = mapped_column(String(5), default="nl")
    team_id: Mapped[uuid.UUID | None]
    active: Mapped[bool] = mapped_column(default=True)
    imap_host: Mapped[str] = mapped_column(String(253))
    imap_port: Mapped[int]
    imap_security: Mapped[Security] = mapped_column(str_enum(Security))
    imap_username: Mapped[str] = mapped_column(String(254))
    imap_password: Mapped[str] = mapped_column(Text)  # sealed
    imap_folder: Mapped[str] = mapped_column(String(200), default="INBOX")
    smtp_host: Mapped[str | None] = mapped_column(String(253))
    smtp_port: Mapped[int | None]
    smtp_security: Mapped[Security | None] = mapped_column(str_enum(Security))
    smtp_username: Mapped[str | None] = mapped_column(String(254))
    smtp_password: Mapped[str | None] = mapped_column(Text)  # sealed
    uidvalidity: Mapped[int | None]
    last_uid: Mapped[int | None]
    last_checked_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class MailState(enum.StrEnum):
    """What became of a received message."""

    THREADED = "threaded"  # stored on a case as an inbound e-mail contact
    BOUNCE = "bounce"  # a delivery report about one of our messages
    HELD = "held"  # a sender over the rate limit, or list/bulk mail: kept, not put on a case
    UNREADABLE = "unreadable"  # kept raw for the admin


class InboundMail(TenantMixin, Base):
    """One received message, by Message-ID; the raw bytes are kept (the full original stays viewable)."""

    __tablename__ = "inbound_mails"
    __table_args__ = (
        ForeignKeyConstraint(
            ["organisation_id", "mailbox_id"], ["mailboxes.organisation_id", "mailboxes.id"]
        ),
        UniqueConstraint("organisation_id", "message_id"),
        Index("ix_inbound_mails_case", "organisation_id", "case_id"),
        Index("ix_inbound_mails_sender", "organisation_id", "from_address", "received_at"),
    )

    mailbox_id: Mapped[uuid.UUID]
    message_id: Mapped[str] = mapped_column(String(260))
    case_id: Mapped[uuid.UUID | None]
    contact_id: Mapped[uuid.UUID | None]
    state: Mapped[MailState] = mapped_column(str_enum(MailState))
    kind: Mapped[str] = mapped_column(String(20))
    from_address: Mapped[str | None] = mapped_column(String(254))
    from_name: Mapped[str] = mapped_column(String(200), default="")
    subject: Mapped[str] = mapped_column(String(300), default="")
    new_text: Mapped[str] = mapped_column(Text, default="")
    full_text: Mapped[str] = mapped_column(Text, default="")
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)  # problems, kind reasons, bounce
    raw: Mapped[bytes] = mapped_column(LargeBinary)
    received_at: Mapped[datetime]


class CaseReference(Base):
    """The number an e-mail case is known by in subjects, `[#K-<number>]`, unique per organisation."""

    __tablename__ = "mail_case_references"
    __table_args__ = (
        ForeignKeyConstraint(["organisation_id", "case_id"], ["cases.organisation_id", "cases.id"]),
        UniqueConstraint("organisation_id", "number"),
    )

    organisation_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    case_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    number: Mapped[int]
