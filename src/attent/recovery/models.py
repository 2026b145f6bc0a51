"""Recovery: gestures given (or offered) to customers, and check-ins the worker does at a due time."""

import enum
import uuid
from datetime import datetime

from sqlalchemy import ForeignKeyConstraint, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from attent.core.db import Base, TenantMixin, str_enum


class GestureKind(enum.StrEnum):
    """What a gesture is; the catalogue names the concrete ones (a €10 credit, a bag of beans)."""

    REPLACEMENT = "replacement"
    REFUND = "refund"
    CREDIT = "credit"
    SMALL_ATTENTION = "small_attention"


class GestureState(enum.StrEnum):
    """Suggested (an agent decides) → pending approval (a lead decides) → granted → done; or declined."""

    SUGGESTED = "suggested"
    PENDING_APPROVAL = "pending_approval"
    GRANTED = "granted"
    DECLINED = "declined"
    DONE = "done"


class Gesture(TenantMixin, Base):
    """One gesture for one customer, its cost as it was when offered, and its outcome once known.

    `outcome_due_at` is granted + 30 days: the worker then looks once whether the customer came back.
    `await_resolution` marks a granted gesture whose case should get a check-in once it is resolved.
    """

    __tablename__ = "gestures"
    __table_args__ = (
        ForeignKeyConstraint(["organisation_id", "case_id"], ["cases.organisation_id", "cases.id"]),
        ForeignKeyConstraint(
            ["organisation_id", "customer_id"], ["customers.organisation_id", "customers.id"]
        ),
        Index("ix_gestures_case", "organisation_id", "case_id"),
        Index("ix_gestures_customer", "organisation_id", "customer_id", "state"),
        Index("ix_gestures_state", "organisation_id", "state", "granted_at"),
        Index(
            "ix_gestures_outcome_due",
            "outcome_due_at",
            postgresql_where=text("outcome_due_at IS NOT NULL"),
            sqlite_where=text("outcome_due_at IS NOT NULL"),
        ),
        Index(
            "ix_gestures_await_resolution",
            "organisation_id",
            "case_id",
            postgresql_where=text("await_resolution"),
            sqlite_where=text("await_resolution"),
        ),
    )

    customer_id: Mapped[uuid.UUID]
    case_id: Mapped[uuid.UUID | None]
    code: Mapped[str] = mapped_column(String(60))
    kind: Mapped[GestureKind] = mapped_column(str_enum(GestureKind))
    name_nl: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    cost_cents: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3))
    occasion: Mapped[str | None] = mapped_column(String(60))
    reason: Mapped[str] = mapped_column(String(1000))
    source: Mapped[str] = mapped_column(String(120))
    state: Mapped[GestureState] = mapped_column(str_enum(GestureState))
    created_at: Mapped[datetime]
    created_by_id: Mapped[uuid.UUID | None]
    requested_by_id: Mapped[uuid.UUID | None]
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[uuid.UUID | None]
    decline_reason: Mapped[str | None] = mapped_column(String(500))
    granted_at: Mapped[datetime | None]
    over_budget: Mapped[bool] = mapped_column(default=False)
    promise_id: Mapped[uuid.UUID | None]
    done_at: Mapped[datetime | None]
    await_resolution: Mapped[bool] = mapped_column(default=False)
    outcome_due_at: Mapped[datetime | None]
    outcome_at: Mapped[datetime | None]
    repeat_contact: Mapped[bool | None]
    repeat_contact_at: Mapped[datetime | None]
    survey_score: Mapped[int | None]
    survey_comment: Mapped[str | None] = mapped_column(Text)
    survey_at: Mapped[datetime | None]


class CheckInMode(enum.StrEnum):
    """At the due time: a task for an agent (a follow-up promise), or a message to the customer."""

    TASK = "task"
    MESSAGE = "message"


class CheckInState(enum.StrEnum):
    """Scheduled until the worker does it; skipped when it would be clumsy (the case was reopened)."""

    SCHEDULED = "scheduled"
    DONE = "done"
    SKIPPED = "skipped"


class CheckIn(TenantMixin, Base):
    """ "Was everything all right with the replacement?" — a durable row the worker does at `due_at`."""

    __tablename__ = "check_ins"
    __table_args__ = (
        ForeignKeyConstraint(["organisation_id", "case_id"], ["cases.organisation_id", "cases.id"]),
        ForeignKeyConstraint(
            ["organisation_id", "customer_id"], ["customers.organisation_id", "customers.id"]
        ),
        ForeignKeyConstraint(["organisation_id", "gesture_id"], ["gestures.organisation_id", "gestures.id"]),
        Index("ix_check_ins_case", "organisation_id", "case_id"),
        Index(
            "ix_check_ins_due",
            "due_at",
            postgresql_where=text("state = 'scheduled'"),
            sqlite_where=text("state = 'scheduled'"),
        ),
    )

    customer_id: Mapped[uuid.UUID]
    case_id: Mapped[uuid.UUID | None]
    gesture_id: Mapped[uuid.UUID | None]
    due_at: Mapped[datetime]
    mode: Mapped[CheckInMode] = mapped_column(str_enum(CheckInMode))
    note: Mapped[str] = mapped_column(String(1000))
    source: Mapped[str] = mapped_column(String(120))
    state: Mapped[CheckInState] = mapped_column(str_enum(CheckInState), default=CheckInState.SCHEDULED)
    created_at: Mapped[datetime]
    done_at: Mapped[datetime | None]
    promise_id: Mapped[uuid.UUID | None]
    message_id: Mapped[uuid.UUID | None]
    skip_reason: Mapped[str | None] = mapped_column(String(200))
