"""Saved views: a named filter and sort of the case queue, an agent's own or shared with a team."""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKeyConstraint, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from attent.core.db import Base, TenantMixin


class SavedView(TenantMixin, Base):
    """A view of the queue: personal (`agent_id`) or shared with a team (`team_id`); one of the two.

    `filters` holds the queue's query parameters (see `workspace.queue.QueueFilters.params`), so a view
    opens as the same address the agent saved it from, and a filter added later needs no migration.
    """

    __tablename__ = "saved_views"
    __table_args__ = (
        ForeignKeyConstraint(["organisation_id", "agent_id"], ["agents.organisation_id", "agents.id"]),
        ForeignKeyConstraint(["organisation_id", "team_id"], ["teams.organisation_id", "teams.id"]),
        ForeignKeyConstraint(["organisation_id", "created_by"], ["agents.organisation_id", "agents.id"]),
        Index("ix_saved_views_agent", "organisation_id", "agent_id"),
        Index("ix_saved_views_team", "organisation_id", "team_id"),
    )

    name: Mapped[str] = mapped_column(String(80))
    agent_id: Mapped[uuid.UUID | None]
    team_id: Mapped[uuid.UUID | None]
    filters: Mapped[dict[str, Any]]
    created_by: Mapped[uuid.UUID]
    created_at: Mapped[datetime]


class CannedReply(TenantMixin, Base):
    """A reply written once and inserted often, in Dutch and English, with {{variables}} filled in on
    insertion: an agent's own (`agent_id`) or a team's (`team_id`, kept by its leads)."""

    __tablename__ = "canned_replies"
    __table_args__ = (
        ForeignKeyConstraint(["organisation_id", "agent_id"], ["agents.organisation_id", "agents.id"]),
        ForeignKeyConstraint(["organisation_id", "team_id"], ["teams.organisation_id", "teams.id"]),
        ForeignKeyConstraint(["organisation_id", "created_by"], ["agents.organisation_id", "agents.id"]),
        Index("ix_canned_replies_agent", "organisation_id", "agent_id"),
        Index("ix_canned_replies_team", "organisation_id", "team_id"),
    )

    name: Mapped[str] = mapped_column(String(120))
    agent_id: Mapped[uuid.UUID | None]
    team_id: Mapped[uuid.UUID | None]
    text_nl: Mapped[str] = mapped_column(Text)
    text_en: Mapped[str] = mapped_column(Text)
    then_status: Mapped[str | None] = mapped_column(String(32))  # sending it also moves the case here
    then_tag: Mapped[str | None] = mapped_column(String(40))  # and puts this tag on it
    created_by: Mapped[uuid.UUID]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
