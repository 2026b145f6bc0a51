"""Set aside: failures of a worker's rows, so one row that keeps failing no longer blocks its queue.

One table for every timed step (promises, signals, rule firings, recovery, the coach's queue, the
outbox, shift ends), keyed by step kind and row id; claims leave out rows whose `failed_at` is set.

Revision ID: 0017
Revises: 0016
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import attent.core.db

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "set_aside",
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("row_id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("last_failed_at", attent.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("failed_at", attent.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["organisation_id"], ["organisations.id"], name=op.f("fk_set_aside_organisation_id_organisations")
        ),
        sa.PrimaryKeyConstraint("organisation_id", "id", name=op.f("pk_set_aside")),
        sa.UniqueConstraint(
            "organisation_id", "kind", "row_id", name=op.f("uq_set_aside_organisation_id_kind_row_id")
        ),
    )


def downgrade() -> None:
    op.drop_table("set_aside")
