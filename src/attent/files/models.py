"""Attachments: one row per file on a case, the content kept once per hash by the storage."""

import enum
import uuid
from datetime import datetime

from sqlalchemy import BigInteger, ForeignKeyConstraint, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from attent.core.db import Base, JSONType, TenantMixin, str_enum


class UploadedBy(enum.StrEnum):
    """Who brought the file in: an agent (a reply, a note, the API), the customer (e-mail, web form), or
    Attent itself."""

    AGENT = "agent"
    CUSTOMER = "customer"
    SYSTEM = "system"


class Attachment(TenantMixin, Base):
    """A file on a case: its name as given (made safe to show), the type its bytes are, and where it came
    from (a contact, one of its messages, or a note). The bytes live in the storage under `sha256`."""

    __tablename__ = "attachments"
    __table_args__ = (
        ForeignKeyConstraint(["organisation_id", "case_id"], ["cases.organisation_id", "cases.id"]),
        ForeignKeyConstraint(["organisation_id", "contact_id"], ["contacts.organisation_id", "contacts.id"]),
        ForeignKeyConstraint(["organisation_id", "message_id"], ["messages.organisation_id", "messages.id"]),
        ForeignKeyConstraint(["organisation_id", "note_id"], ["notes.organisation_id", "notes.id"]),
        ForeignKeyConstraint(["organisation_id", "agent_id"], ["agents.organisation_id", "agents.id"]),
        Index("ix_attachments_case", "organisation_id", "case_id", "created_at"),
        Index("ix_attachments_contact", "organisation_id", "contact_id"),
        Index("ix_attachments_sha256", "organisation_id", "sha256"),
    )

    case_id: Mapped[uuid.UUID]
    contact_id: Mapped[uuid.UUID | None]
    message_id: Mapped[uuid.UUID | None]
    note_id: Mapped[uuid.UUID | None]
    filename: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigInteger)
    content_type: Mapped[str] = mapped_column(String(127))  # from the bytes, not the name
    declared_type: Mapped[str] = mapped_column(String(127), default="")  # what the sender claimed
    flags: Mapped[list[str]] = mapped_column(
        JSONType, default=list
    )  # executable, double_extension, type_mismatch
    content_id: Mapped[str | None] = mapped_column(String(255))  # an e-mail's inline image (`cid:`)
    inline: Mapped[bool] = mapped_column(default=False)
    uploaded_by: Mapped[UploadedBy] = mapped_column(str_enum(UploadedBy))
    agent_id: Mapped[uuid.UUID | None]
    created_at: Mapped[datetime]

    @property
    def dangerous(self) -> bool:
        """Whether the name or the bytes say "program": such a file is kept but only ever offered as
        bytes to save, with a warning."""
        return bool({"executable", "double_extension", "type_mismatch"} & set(self.flags))
