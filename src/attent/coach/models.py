"""Stored coach results: the scoring queue, one scorecard per contact, its verdicts, and promise proposals.

Verdicts are rows (not JSON inside the scorecard) because coaching cards and team trends count them by
agent, behaviour and week; the evidence lines stay with each verdict as JSON.
"""

import enum
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKeyConstraint, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from attent.core.db import Base, JSONType, TenantMixin, str_enum


class ScoringDue(TenantMixin, Base):
    """A contact waiting to be scored: written by the request that ended it, removed by the worker."""

    __tablename__ = "coach_queue"
    __table_args__ = (
        ForeignKeyConstraint(["organisation_id", "contact_id"], ["contacts.organisation_id", "contacts.id"]),
        UniqueConstraint("organisation_id", "contact_id"),
        Index("ix_coach_queue_due", "due_at"),
    )

    contact_id: Mapped[uuid.UUID]
    due_at: Mapped[datetime]


class ContactScorecard(TenantMixin, Base):
    """The coach's latest result for one contact (re-scoring replaces it in place)."""

    __tablename__ = "coach_scorecards"
    __table_args__ = (
        ForeignKeyConstraint(["organisation_id", "contact_id"], ["contacts.organisation_id", "contacts.id"]),
        ForeignKeyConstraint(["organisation_id", "case_id"], ["cases.organisation_id", "cases.id"]),
        UniqueConstraint("organisation_id", "contact_id"),
        Index("ix_coach_scorecards_case", "organisation_id", "case_id"),
    )

    contact_id: Mapped[uuid.UUID]
    case_id: Mapped[uuid.UUID]
    agent_id: Mapped[uuid.UUID | None]
    language: Mapped[str] = mapped_column(String(2))
    mixed: Mapped[bool]
    met: Mapped[int]
    applicable: Mapped[int]
    lines: Mapped[int]
    contact_at: Mapped[datetime]
    scored_at: Mapped[datetime]


class Result(enum.StrEnum):
    """A behaviour's verdict."""

    MET = "met"
    MISSED = "missed"
    NA = "na"


class ScoredVerdict(TenantMixin, Base):
    """One behaviour of one stored scorecard, with the agent and moment copied for counting."""

    __tablename__ = "coach_verdicts"
    __table_args__ = (
        ForeignKeyConstraint(
            ["organisation_id", "scorecard_id"],
            ["coach_scorecards.organisation_id", "coach_scorecards.id"],
            ondelete="CASCADE",
        ),
        Index("ix_coach_verdicts_scorecard", "organisation_id", "scorecard_id"),
        Index("ix_coach_verdicts_agent", "organisation_id", "agent_id", "at"),
        Index("ix_coach_verdicts_week", "organisation_id", "week", "agent_id"),
    )

    scorecard_id: Mapped[uuid.UUID]
    case_id: Mapped[uuid.UUID]
    agent_id: Mapped[uuid.UUID | None]
    behaviour: Mapped[str] = mapped_column(String(40))
    position: Mapped[int]
    result: Mapped[Result] = mapped_column(str_enum(Result))
    lines: Mapped[list[Any]] = mapped_column(JSONType)
    reason_nl: Mapped[str] = mapped_column(Text)
    reason_en: Mapped[str] = mapped_column(Text)
    quote: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime]
    # The ISO week ('2026-W48') in the organisation's zone when scored, so trends group without tz maths.
    week: Mapped[str] = mapped_column(String(8))


class ProposalState(enum.StrEnum):
    """Proposed to the agent → accepted (made by them) or dismissed; or made by the coach itself."""

    PROPOSED = "proposed"
    ACCEPTED = "accepted"
    DISMISSED = "dismissed"
    MADE = "made"


class PromiseProposal(TenantMixin, Base):
    """A commitment heard in an agent line, offered as a promise; one per message, ever.

    Keyed by the message, not its position: a message logged later with an earlier time shifts the
    positions, and the same words must still not be proposed twice.
    """

    __tablename__ = "coach_proposals"
    __table_args__ = (
        ForeignKeyConstraint(["organisation_id", "contact_id"], ["contacts.organisation_id", "contacts.id"]),
        ForeignKeyConstraint(["organisation_id", "case_id"], ["cases.organisation_id", "cases.id"]),
        ForeignKeyConstraint(["organisation_id", "message_id"], ["messages.organisation_id", "messages.id"]),
        UniqueConstraint("organisation_id", "message_id"),
        Index("ix_coach_proposals_case", "organisation_id", "case_id", "state"),
    )

    contact_id: Mapped[uuid.UUID]
    case_id: Mapped[uuid.UUID]
    agent_id: Mapped[uuid.UUID | None]
    message_id: Mapped[uuid.UUID]
    line: Mapped[int]
    kind: Mapped[str] = mapped_column(String(32))
    due_at: Mapped[datetime]
    words: Mapped[str] = mapped_column(Text)
    state: Mapped[ProposalState] = mapped_column(str_enum(ProposalState))
    promise_id: Mapped[uuid.UUID | None]
    decided_by_id: Mapped[uuid.UUID | None]
    decided_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
