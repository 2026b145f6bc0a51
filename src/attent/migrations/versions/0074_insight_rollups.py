"""Insight roll-ups: each measure's sums per organisation, local day and key combination, kept by the
worker, and how far each organisation's roll-ups reach; contacts by the time they ended (the
durations measure, and the live part of today).

Revision ID: 0074
Revises: 0072
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0074"
down_revision: str | None = "0072"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "insight_daily",
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("measure", sa.String(length=20), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("team_id", sa.Uuid(), nullable=True),
        sa.Column("agent_id", sa.Uuid(), nullable=True),
        sa.Column("type", sa.String(length=60), nullable=True),
        sa.Column("channel", sa.String(length=32), nullable=True),
        sa.Column("band", sa.String(length=20), nullable=True),
        *(sa.Column(f"v{i}", sa.Float(), nullable=False) for i in range(8)),
        sa.PrimaryKeyConstraint("organisation_id", "id", name="pk_insight_daily"),
    )
    op.create_index("ix_insight_daily_day", "insight_daily", ["organisation_id", "measure", "day"])
    op.create_index("ix_contacts_ended", "contacts", ["organisation_id", "ended_at"])
    op.create_table(
        "insight_rollup_state",
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("through", sa.Date(), nullable=False),
        sa.Column("window_days", sa.Integer(), nullable=False),
        sa.Column("reply_target_seconds", sa.Integer(), nullable=False),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("organisation_id", "id", name="pk_insight_rollup_state"),
        sa.UniqueConstraint("organisation_id", name="uq_insight_rollup_state_organisation_id"),
    )


def downgrade() -> None:
    op.drop_index("ix_contacts_ended", table_name="contacts")
    op.drop_table("insight_rollup_state")
    op.drop_index("ix_insight_daily_day", table_name="insight_daily")
    op.drop_table("insight_daily")
