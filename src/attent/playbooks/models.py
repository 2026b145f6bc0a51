"""Playbooks: the guided steps for a case type, each with what to say and how long it takes."""

import uuid
from datetime import datetime

from sqlalchemy import ForeignKeyConstraint, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from attent.core.db import Base, TenantMixin


class Playbook(TenantMixin, Base):
    """One per case type per organisation; its steps are replaced whole when an admin edits it."""

    __tablename__ = "playbooks"
    __table_args__ = (
        ForeignKeyConstraint(["organisation_id"], ["organisations.id"]),
        ForeignKeyConstraint(["organisation_id", "updated_by_id"], ["agents.organisation_id", "agents.id"]),
        UniqueConstraint("organisation_id", "case_type"),
    )

    case_type: Mapped[str] = mapped_column(String(60))
    updated_at: Mapped[datetime]
    updated_by_id: Mapped[uuid.UUID | None]


class PlaybookStep(TenantMixin, Base):
    """One step: what the agent does (title), says (narration), and how long it takes by default."""

    __tablename__ = "playbook_steps"
    __table_args__ = (
        ForeignKeyConstraint(
            ["organisation_id", "playbook_id"], ["playbooks.organisation_id", "playbooks.id"]
        ),
        UniqueConstraint("organisation_id", "playbook_id", "key"),
        UniqueConstraint("organisation_id", "playbook_id", "position"),
    )

    playbook_id: Mapped[uuid.UUID]
    position: Mapped[int]
    key: Mapped[str] = mapped_column(String(60))
    title_nl: Mapped[str] = mapped_column(String(500))
    title_en: Mapped[str] = mapped_column(String(500))
    narration_nl: Mapped[str] = mapped_column(String(500))
    narration_en: Mapped[str] = mapped_column(String(500))
    step_type: Mapped[str] = mapped_column(String(60))
    default_minutes: Mapped[int]
