"""The tenant: every other row belongs to exactly one organisation."""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import String, text
from sqlalchemy.orm import Mapped, mapped_column

from attent.core.db import Base
from attent.core.ids import uuid7


class Organisation(Base):
    """A service team's company; the unit of tenancy and of sharding."""

    __tablename__ = "organisations"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid7)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Amsterdam")
    language: Mapped[str] = mapped_column(String(5), default="nl")
    settings: Mapped[dict[str, Any]] = mapped_column(default=dict, server_default=text("'{}'"))
    created_at: Mapped[datetime]
    # Where a case without a team goes, so every case is in someone's My work or on a team view. The
    # first team made becomes it; admins change it. No foreign key: teams reference organisations,
    # and the one writer (agents.service) checks the team is the organisation's own.
    default_team_id: Mapped[uuid.UUID | None]
