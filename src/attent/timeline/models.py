"""The append-only record of everything that happened; the handoff brief is derived from it."""

import enum
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKeyConstraint, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from attent.core.db import Base, TenantMixin, str_enum


class ActorKind(enum.StrEnum):
    """Who caused an event."""

    AGENT = "agent"
    CUSTOMER = "customer"
    SYSTEM = "system"


class TimelineEvent(TenantMixin, Base):
    """One thing that happened on a case (or, without a case, to a customer); never updated."""

    __tablename__ = "timeline_events"
    __table_args__ = (
        ForeignKeyConstraint(["organisation_id", "case_id"], ["cases.organisation_id", "cases.id"]),
        Index("ix_timeline_events_case", "organisation_id", "case_id", "at", "id"),
        Index("ix_timeline_events_customer", "organisation_id", "customer_id", "id"),
        Index("ix_timeline_events_kind", "organisation_id", "kind", "at"),  # insight: resolutions, reopens
    )

    case_id: Mapped[uuid.UUID | None]
    customer_id: Mapped[uuid.UUID | None]
    at: Mapped[datetime]
    actor_kind: Mapped[ActorKind] = mapped_column(str_enum(ActorKind))
    actor_id: Mapped[uuid.UUID | None]
    kind: Mapped[str] = mapped_column(String(60))
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    customer_visible: Mapped[bool] = mapped_column(default=False)
