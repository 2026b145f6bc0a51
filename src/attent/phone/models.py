"""The phone line (how an organisation's telephone system reaches us), its calls and their events."""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKeyConstraint, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from attent.core.db import Base, TenantMixin


class PhoneLine(TenantMixin, Base):
    """One per organisation: which provider posts, the salt of its secret, queues and extensions."""

    __tablename__ = "phone_lines"
    __table_args__ = (
        ForeignKeyConstraint(["organisation_id"], ["organisations.id"]),
        UniqueConstraint("organisation_id", name="uq_phone_lines_organisation"),
    )

    provider: Mapped[str] = mapped_column(String(20))  # generic | twilio
    secret_salt: Mapped[str] = mapped_column(String(64))
    twilio_token: Mapped[str | None] = mapped_column(Text)  # sealed with ATTENT_SECRET_KEY
    abandoned_after_seconds: Mapped[int]
    region: Mapped[str] = mapped_column(String(2))  # how national numbers are read ("06-…" in NL)
    queues: Mapped[dict[str, Any]] = mapped_column(default=dict)  # queue name → team id
    extensions: Mapped[dict[str, Any]] = mapped_column(default=dict)  # extension → agent id
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class Call(TenantMixin, Base):
    """What the events of one call add up to, and what Attent made of it (customer, case, contact)."""

    __tablename__ = "phone_calls"
    __table_args__ = (
        ForeignKeyConstraint(["organisation_id"], ["organisations.id"]),
        UniqueConstraint("organisation_id", "call_ref", name="uq_phone_calls_ref"),
        Index("ix_phone_calls_agent", "organisation_id", "agent_id", "settled_at"),
        Index("ix_phone_calls_ringing", "organisation_id", "ringing_agent_id", "settled_at"),
        Index("ix_phone_calls_unsettled", "organisation_id", "settled_at", "ended_at"),
    )

    call_ref: Mapped[str] = mapped_column(String(100))  # the telephone system's call id
    direction: Mapped[str | None] = mapped_column(String(10))
    caller: Mapped[str | None] = mapped_column(String(64))  # as sent
    number: Mapped[str | None] = mapped_column(String(20))  # the customer's, E.164; None: withheld
    queue: Mapped[str | None] = mapped_column(String(100))
    customer_id: Mapped[uuid.UUID | None]
    case_id: Mapped[uuid.UUID | None]
    contact_id: Mapped[uuid.UUID | None]
    ringing_agent_id: Mapped[uuid.UUID | None]
    agent_id: Mapped[uuid.UUID | None]  # who has (or had) the call
    transfers: Mapped[int] = mapped_column(default=0)
    ringing_at: Mapped[datetime | None]
    answered_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]
    ended_received_at: Mapped[datetime | None]
    settled_at: Mapped[datetime | None]
    outcome: Mapped[str | None] = mapped_column(String(20))
    promise_id: Mapped[uuid.UUID | None]
    problems: Mapped[dict[str, Any]] = mapped_column(default=dict)  # code → what, for the admins
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class CallEvent(TenantMixin, Base):
    """One event as received (generic form); (call, sequence) is unique, so a repeat is recognised."""

    __tablename__ = "phone_call_events"
    __table_args__ = (
        ForeignKeyConstraint(["organisation_id"], ["organisations.id"]),
        UniqueConstraint("organisation_id", "call_ref", "sequence", name="uq_phone_call_events_seq"),
        Index("ix_phone_call_events_queued", "processed_at", "received_at"),
    )

    call_ref: Mapped[str] = mapped_column(String(100))
    sequence: Mapped[int]
    type: Mapped[str] = mapped_column(String(20))
    at: Mapped[datetime]
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    received_at: Mapped[datetime]
    applied_at: Mapped[datetime | None]  # transcripts: when added to the call's contact
    processed_at: Mapped[datetime | None]  # None: queued for the worker (a large batch)
