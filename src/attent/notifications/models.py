"""Notifications: what a lead or agent must act on (a promise at risk or broken), in their inbox."""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKeyConstraint, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from attent.core.db import Base, TenantMixin


class Notification(TenantMixin, Base):
    """One thing one agent should know about; `data` says who, what and since when."""

    __tablename__ = "notifications"
    __table_args__ = (
        ForeignKeyConstraint(["organisation_id", "agent_id"], ["agents.organisation_id", "agents.id"]),
        Index("ix_notifications_inbox", "organisation_id", "agent_id", "read_at", "id"),
    )

    agent_id: Mapped[uuid.UUID]
    kind: Mapped[str] = mapped_column(String(60))
    case_id: Mapped[uuid.UUID | None]
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime]
    read_at: Mapped[datetime | None]
