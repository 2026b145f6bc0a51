"""Messages to customers: written in the transaction that decided to send them, delivered by the worker."""

import enum
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKeyConstraint, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from attent.core.db import Base, TenantMixin, str_enum


class MessageState(enum.StrEnum):
    """Where an outgoing message stands; only `queued` messages are still worked on."""

    QUEUED = "queued"
    SENT = "sent"
    FAILED = "failed"


class OutboundMessage(TenantMixin, Base):
    """One message to one customer over one channel; `key` makes queueing it a second time a no-op."""

    __tablename__ = "outbound_messages"
    __table_args__ = (
        ForeignKeyConstraint(["organisation_id", "case_id"], ["cases.organisation_id", "cases.id"]),
        ForeignKeyConstraint(
            ["organisation_id", "customer_id"], ["customers.organisation_id", "customers.id"]
        ),
        UniqueConstraint("organisation_id", "key"),
        Index("ix_outbound_messages_case", "organisation_id", "case_id"),
        Index(
            "ix_outbound_messages_next_attempt",
            "next_attempt_at",
            postgresql_where=text("next_attempt_at IS NOT NULL"),
            sqlite_where=text("next_attempt_at IS NOT NULL"),
        ),
    )

    key: Mapped[str] = mapped_column(String(200))
    case_id: Mapped[uuid.UUID]
    customer_id: Mapped[uuid.UUID]
    channel: Mapped[str] = mapped_column(String(20))
    recipient: Mapped[str] = mapped_column(String(254))
    language: Mapped[str] = mapped_column(String(5))
    template: Mapped[str] = mapped_column(String(60))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    message_id: Mapped[str] = mapped_column(String(200))
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    state: Mapped[MessageState] = mapped_column(str_enum(MessageState), default=MessageState.QUEUED)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None]
    locked_by: Mapped[str | None] = mapped_column(String(40))
    locked_until: Mapped[datetime | None]
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
