"""Surveys: one CSAT (1-5) and CES (1-7) question pair per resolved case, sent later by the worker."""

import enum
import uuid
from datetime import date, datetime

from sqlalchemy import Float, ForeignKeyConstraint, Index, String, Text, UniqueConstraint, text
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


VALUES = 8  # the most sums a rolled-up measure has (promises)


class DailyFigure(TenantMixin, Base):
    """One measure's sums for one of the organisation's local days and one combination of the keys its
    rows are grouped and filtered by; `v0..v7` hold the measure's sums in the order `Measure.sums`
    names them. Kept by the worker (`rollups.py`); the live queries stay the definition."""

    __tablename__ = "insight_daily"
    __table_args__ = (Index("ix_insight_daily_day", "organisation_id", "measure", "day"),)

    measure: Mapped[str] = mapped_column(String(20))
    day: Mapped[date]
    team_id: Mapped[uuid.UUID | None]
    agent_id: Mapped[uuid.UUID | None]
    type: Mapped[str | None] = mapped_column(String(60))
    channel: Mapped[str | None] = mapped_column(String(32))
    band: Mapped[str | None] = mapped_column(String(20))
    v0: Mapped[float] = mapped_column(Float, default=0.0)
    v1: Mapped[float] = mapped_column(Float, default=0.0)
    v2: Mapped[float] = mapped_column(Float, default=0.0)
    v3: Mapped[float] = mapped_column(Float, default=0.0)
    v4: Mapped[float] = mapped_column(Float, default=0.0)
    v5: Mapped[float] = mapped_column(Float, default=0.0)
    v6: Mapped[float] = mapped_column(Float, default=0.0)
    v7: Mapped[float] = mapped_column(Float, default=0.0)


class RollupState(TenantMixin, Base):
    """How far an organisation's roll-ups reach (`through`: every local day up to it is rolled up), the
    rules they were computed with (a changed window or reply target makes them unusable until rebuilt),
    and where the worker's last look for changes stood (`checked_at` on the clock, for the figures
    that change with time alone; `seen_at` in real time, the time-ordered ids' watermark)."""

    __tablename__ = "insight_rollup_state"
    __table_args__ = (UniqueConstraint("organisation_id"),)  # one per organisation

    through: Mapped[date]
    window_days: Mapped[int]
    reply_target_seconds: Mapped[int]
    checked_at: Mapped[datetime]
    seen_at: Mapped[datetime]
