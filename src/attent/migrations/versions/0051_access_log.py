"""The access log: who opened which customer, case or transcript, and who exported or erased what.

Ids only (no names, no text), so it holds no personal data of its own and stays true after an erasure.

Revision ID: 0051
Revises: 0050
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import attent.core.db

revision: str = "0051"
down_revision: str | None = "0050"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "access_log",
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("at", attent.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("agent_id", sa.Uuid(), nullable=True),
        sa.Column(
            "action",
            sa.Enum("view", "export", "erase", name="action", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column(
            "subject",
            sa.Enum(
                "customer",
                "case",
                "transcript",
                "attachment",
                "access_log",
                name="subject",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("subject_id", sa.Uuid(), nullable=True),
        sa.Column("customer_id", sa.Uuid(), nullable=True),
        sa.Column("case_id", sa.Uuid(), nullable=True),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_access_log_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("organisation_id", "id", name=op.f("pk_access_log")),
    )
    op.create_index("ix_access_log_customer", "access_log", ["organisation_id", "customer_id", "at"])
    op.create_index("ix_access_log_agent", "access_log", ["organisation_id", "agent_id", "at"])
    op.create_index("ix_access_log_at", "access_log", ["organisation_id", "at"])


def downgrade() -> None:
    op.drop_table("access_log")
