"""Contacts (one interaction on a channel) and their messages."""

import enum
import uuid
from datetime import datetime

from sqlalchemy import ForeignKeyConstraint, Index, Text
from sqlalchemy.orm import Mapped, mapped_column

from attent.core.db import Base, TenantMixin, str_enum


class Channel(enum.StrEnum):
    """Where the interaction happened."""

    PHONE = "phone"
    EMAIL = "email"
    CHAT = "chat"
    WEB_FORM = "web_form"
    PROACTIVE = "proactive"


class Direction(enum.StrEnum):
    """Who started the interaction."""

    INBOUND = "inbound"
    OUTBOUND = "outbound"


class Outcome(enum.StrEnum):
    """How the interaction ended."""

    RESOLVED = "resolved"
    FOLLOW_UP = "follow_up"
    TRANSFERRED = "transferred"
    DROPPED = "dropped"
    # Reported by the telephone system, which knows how a call ended but not what it resolved:
    ENDED = "ended"  # answered, and hung up by either side
    ABANDONED = "abandoned"  # the caller hung up before anyone answered
    NO_ANSWER = "no_answer"  # our call was not answered (busy, no answer)


class Speaker(enum.StrEnum):
    """Who said a message."""

    CUSTOMER = "customer"
    AGENT = "agent"
    SYSTEM = "system"


class Contact(TenantMixin, Base):
    """One interaction with the customer on one channel."""

    __tablename__ = "contacts"
    __table_args__ = (
        ForeignKeyConstraint(["organisation_id", "case_id"], ["cases.organisation_id", "cases.id"]),
        ForeignKeyConstraint(
            ["organisation_id", "customer_id"], ["customers.organisation_id", "customers.id"]
        ),
        ForeignKeyConstraint(["organisation_id", "agent_id"], ["agents.organisation_id", "agents.id"]),
        Index("ix_contacts_case", "organisation_id", "case_id", "started_at"),
        # Insight: did the customer come back (on any case) after a resolution?
        Index("ix_contacts_customer", "organisation_id", "customer_id", "started_at"),
        # Insight: contacts that ended in a period (time taken vs coming back, today's live part)
        Index("ix_contacts_ended", "organisation_id", "ended_at"),
    )

    case_id: Mapped[uuid.UUID]
    customer_id: Mapped[uuid.UUID]
    channel: Mapped[Channel] = mapped_column(str_enum(Channel))
    direction: Mapped[Direction] = mapped_column(str_enum(Direction))
    agent_id: Mapped[uuid.UUID | None]
    started_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    outcome: Mapped[Outcome | None] = mapped_column(str_enum(Outcome))
    created_at: Mapped[datetime]


class Message(TenantMixin, Base):
    """One turn in a contact."""

    __tablename__ = "messages"
    __table_args__ = (
        ForeignKeyConstraint(["organisation_id", "contact_id"], ["contacts.organisation_id", "contacts.id"]),
        Index("ix_messages_contact", "organisation_id", "contact_id", "at"),
        Index("ix_messages_case", "organisation_id", "case_id", "at"),
    )

    contact_id: Mapped[uuid.UUID]
    case_id: Mapped[uuid.UUID]
    speaker: Mapped[Speaker] = mapped_column(str_enum(Speaker))
    text: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime]
