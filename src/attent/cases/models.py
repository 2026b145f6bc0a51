"""Cases and internal notes."""

import enum
import uuid
from datetime import datetime

from sqlalchemy import ForeignKeyConstraint, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from attent.core.db import Base, TenantMixin, str_enum


class CaseStatus(enum.StrEnum):
    """Where a case stands; legal moves are in cases.service.TRANSITIONS."""

    NEW = "new"
    OPEN = "open"
    WAITING_ON_CUSTOMER = "waiting_on_customer"
    WAITING_ON_THIRD_PARTY = "waiting_on_third_party"
    RESOLVED = "resolved"
    CLOSED = "closed"


class Priority(enum.StrEnum):
    """How urgent the need is for the customer."""

    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


class Case(TenantMixin, Base):
    """One customer need, from first contact to resolution."""

    __tablename__ = "cases"
    __table_args__ = (
        ForeignKeyConstraint(
            ["organisation_id", "customer_id"], ["customers.organisation_id", "customers.id"]
        ),
        ForeignKeyConstraint(["organisation_id", "owner_id"], ["agents.organisation_id", "agents.id"]),
        ForeignKeyConstraint(["organisation_id", "team_id"], ["teams.organisation_id", "teams.id"]),
        Index("ix_cases_status", "organisation_id", "status", "id"),
        Index("ix_cases_customer", "organisation_id", "customer_id", "id"),
        Index("ix_cases_owner", "organisation_id", "owner_id", "id"),
        Index("ix_cases_team", "organisation_id", "team_id", "id"),
        # Insight counts cases resolved, and cases opened, in a period.
        Index("ix_cases_resolved", "organisation_id", "resolved_at"),
        Index("ix_cases_created", "organisation_id", "created_at"),
        # The queue's sorts and its count, each carrying the columns every queue filters by, so a page
        # and its count are index-only (migration 0073).
        Index("ix_cases_waiting", "organisation_id", "waiting_since", "id", "status", "team_id", "owner_id"),
        Index(
            "ix_cases_next_promise",
            "organisation_id",
            "next_promise_due",
            "id",
            "status",
            "team_id",
            "owner_id",
        ),
        Index("ix_cases_activity", "organisation_id", "updated_at", "id", "status", "team_id", "owner_id"),
        Index("ix_cases_queue", "organisation_id", "status", "team_id", "owner_id"),
    )

    customer_id: Mapped[uuid.UUID]
    subject: Mapped[str] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)
    type: Mapped[str] = mapped_column(String(60), default="general")
    status: Mapped[CaseStatus] = mapped_column(str_enum(CaseStatus), default=CaseStatus.NEW)
    priority: Mapped[Priority] = mapped_column(str_enum(Priority), default=Priority.NORMAL)
    owner_id: Mapped[uuid.UUID | None]
    team_id: Mapped[uuid.UUID | None]
    next_step: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    resolved_at: Mapped[datetime | None]
    merged_into_id: Mapped[uuid.UUID | None]  # merged into that case: a pointer to it, nothing else
    # Kept by the domains that own their definitions, in the same transaction as the change, so the
    # queue sorts and filters by an index instead of a subquery per case: when the customer's oldest
    # unanswered message was written (`attent.contacts.waiting`) and when the soonest open promise is
    # due (`attent.promises.next_due`); None: nobody waits, no promise is open.
    waiting_since: Mapped[datetime | None]
    next_promise_due: Mapped[datetime | None]


class Note(TenantMixin, Base):
    """An internal note; never shown to the customer."""

    __tablename__ = "notes"
    __table_args__ = (
        ForeignKeyConstraint(["organisation_id", "case_id"], ["cases.organisation_id", "cases.id"]),
        ForeignKeyConstraint(["organisation_id", "author_id"], ["agents.organisation_id", "agents.id"]),
        Index("ix_notes_case", "organisation_id", "case_id"),
    )

    case_id: Mapped[uuid.UUID]
    author_id: Mapped[uuid.UUID]
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]


class CaseViewer(Base):
    """Who has a case open right now (a heartbeat every 15 seconds), so colleagues see each other."""

    __tablename__ = "case_viewers"
    __table_args__ = (
        ForeignKeyConstraint(["organisation_id", "case_id"], ["cases.organisation_id", "cases.id"]),
        ForeignKeyConstraint(["organisation_id", "agent_id"], ["agents.organisation_id", "agents.id"]),
    )

    organisation_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    case_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    agent_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    seen_at: Mapped[datetime]


class Tag(TenantMixin, Base):
    """A tag of the organisation's managed list (lower case, one name once), put on cases."""

    __tablename__ = "tags"
    __table_args__ = (UniqueConstraint("organisation_id", "name"),)

    name: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime]


class CaseTag(Base):
    """A tag on a case."""

    __tablename__ = "case_tags"
    __table_args__ = (
        ForeignKeyConstraint(["organisation_id", "case_id"], ["cases.organisation_id", "cases.id"]),
        ForeignKeyConstraint(["organisation_id", "tag_id"], ["tags.organisation_id", "tags.id"]),
        Index("ix_case_tags_tag", "organisation_id", "tag_id", "case_id"),
    )

    organisation_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    case_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    tag_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    added_at: Mapped[datetime]


class AssignmentMode(enum.StrEnum):
    """How a team hands new cases to its agents."""

    OFF = "off"  # the team picks cases up itself
    FEWEST_OPEN = "fewest_open"  # the available agent with the fewest open cases
    ROUND_ROBIN = "round_robin"  # the available agents in turn


class TeamAssignment(Base):
    """A team's automatic assignment: on or off, how, and whom to skip; a team without a row is off."""

    __tablename__ = "team_assignment"
    __table_args__ = (
        ForeignKeyConstraint(["organisation_id", "team_id"], ["teams.organisation_id", "teams.id"]),
        ForeignKeyConstraint(["organisation_id", "last_agent_id"], ["agents.organisation_id", "agents.id"]),
    )

    organisation_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    team_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    mode: Mapped[AssignmentMode] = mapped_column(str_enum(AssignmentMode), default=AssignmentMode.OFF)
    # Skip agents whose shift (Agent.available_until) ends within this many minutes.
    shift_margin_minutes: Mapped[int] = mapped_column(default=30)
    last_agent_id: Mapped[uuid.UUID | None]  # round robin: who had the last case
    updated_at: Mapped[datetime]
