"""Promises: every commitment to a customer, with a due time the worker keeps watch over."""

import enum
import uuid
from datetime import datetime

from sqlalchemy import ForeignKeyConstraint, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from attent.core.db import Base, TenantMixin, str_enum


class PromiseKind(enum.StrEnum):
    """What was promised."""

    CALLBACK = "callback"
    FOLLOW_UP = "follow_up"
    DELIVERY = "delivery"
    REFUND = "refund"
    STEP = "step"
    OTHER = "other"


class PromiseState(enum.StrEnum):
    """Where a promise stands; `at_risk` is a flag on open promises, not a state of its own."""

    OPEN = "open"
    KEPT = "kept"
    BROKEN = "broken"
    CANCELLED = "cancelled"


class PromiseSource(enum.StrEnum):
    """Who made the promise: an agent, Attent after a dropped contact, the coach, or a rule."""

    AGENT = "agent"
    DROPPED_CONTACT = "dropped_contact"
    COACH = "coach"
    RULE = "rule"
    WEB_FORM = "web_form"  # the answer Attent promised when the customer wrote through the web form
    EMAIL = "email"  # the acknowledgement of a customer's e-mail: when they will hear from us


class Promise(TenantMixin, Base):
    """A commitment with a due time (or window); `check_at` is when the worker must look at it next."""

    __tablename__ = "promises"
    __table_args__ = (
        ForeignKeyConstraint(["organisation_id", "case_id"], ["cases.organisation_id", "cases.id"]),
        ForeignKeyConstraint(["organisation_id", "owner_id"], ["agents.organisation_id", "agents.id"]),
        ForeignKeyConstraint(["organisation_id", "team_id"], ["teams.organisation_id", "teams.id"]),
        Index("ix_promises_case", "organisation_id", "case_id"),
        Index("ix_promises_made", "organisation_id", "made_at"),  # insight: promises made in a period
        # Every logged contact asks whether its customer has open call-backs to keep.
        Index("ix_promises_customer", "organisation_id", "customer_id", "state"),
        Index("ix_promises_owner", "organisation_id", "owner_id", "state", "due_by"),
        Index(
            "ix_promises_check_at",
            "check_at",
            postgresql_where=text("check_at IS NOT NULL"),
            sqlite_where=text("check_at IS NOT NULL"),
        ),
    )

    case_id: Mapped[uuid.UUID]
    customer_id: Mapped[uuid.UUID]
    kind: Mapped[PromiseKind] = mapped_column(str_enum(PromiseKind))
    state: Mapped[PromiseState] = mapped_column(str_enum(PromiseState), default=PromiseState.OPEN)
    source: Mapped[PromiseSource] = mapped_column(str_enum(PromiseSource), default=PromiseSource.AGENT)
    due_from: Mapped[datetime | None]
    due_by: Mapped[datetime]
    at_risk_at: Mapped[datetime]
    grace_until: Mapped[datetime]
    at_risk: Mapped[bool] = mapped_column(default=False)
    check_at: Mapped[datetime | None]
    owner_id: Mapped[uuid.UUID | None]
    team_id: Mapped[uuid.UUID | None]
    words: Mapped[str | None] = mapped_column(Text)
    tell_customer: Mapped[bool] = mapped_column(default=False)
    step_type: Mapped[str | None] = mapped_column(String(60))
    contact_id: Mapped[uuid.UUID | None]
    made_by_id: Mapped[uuid.UUID | None]
    made_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]
    closed_by_id: Mapped[uuid.UUID | None]
    close_reason: Mapped[str | None] = mapped_column(String(500))
    offered_at: Mapped[datetime | None]
