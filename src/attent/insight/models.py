"""Surveys: one CSAT (1-5) and CES (1-7) question pair per resolved case, sent later by the worker."""

import enum
import uuid
from datetime import datetime

from sqlalchemy import ForeignKeyConstraint, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from attent.core.db import Base, TenantMixin, str_enum


class SurveyState(enum.StrEnum):
    """Where a survey stands; only `scheduled` ones are still worked on by the worker."""

    SCHEDULED = "scheduled"
    SENT = "sent"
    SKIPPED = "skipped"
    ANSWERED = "answered"


class Survey(TenantMixin, Base):
    """The survey of one case (one per case, so one answer per case); its link's token is kept hashed."""

    __tablename__ = "surveys"
    __table_args__ = (
        ForeignKeyConstraint(["organisation_id", "case_id"], ["cases.organisation_id", "cases.id"]),
        UniqueConstraint("organisation_id", "case_id"),
        Index("ix_surveys_customer", "organisation_id", "customer_id", "sent_at"),
        Index("ix_surveys_sent", "organisation_id", "sent_at"),
        Index(
            "ix_surveys_due_at",
            "due_at",
            postgresql_where=text("state = 'scheduled'"),
            sqlite_where=text("state = 'scheduled'"),
        ),
    )

    case_id: Mapped[uuid.UUID]
    customer_id: Mapped[uuid.UUID]
    resolved_at: Mapped[datetime]
    due_at: Mapped[datetime]
    state: Mapped[SurveyState] = mapped_column(str_enum(SurveyState), default=SurveyState.SCHEDULED)
    skip_reason: Mapped[str | None] = mapped_column(String(40))
    token_hash: Mapped[str | None] = mapped_column(String(64))
    sent_at: Mapped[datetime | None]
    expires_at: Mapped[datetime | None]
    answered_at: Mapped[datetime | None]
    csat: Mapped[int | None]
    ces: Mapped[int | None]
    comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
