"""Automatic assignment per team: off, fewest open cases, or round robin, and the shift margin.

A team without a row assigns nothing (off). `last_agent_id` is where round robin goes on from.

Revision ID: 0036
Revises: 0035
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import attent.core.db

revision: str = "0036"
down_revision: str | None = "0035"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "team_assignment",
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("team_id", sa.Uuid(), nullable=False),
        sa.Column(
            "mode",
            sa.Enum("off", "fewest_open", "round_robin", name="assignmentmode", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("shift_margin_minutes", sa.Integer(), nullable=False),
        sa.Column("last_agent_id", sa.Uuid(), nullable=True),
        sa.Column("updated_at", attent.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id", "last_agent_id"],
            ["agents.organisation_id", "agents.id"],
            name=op.f("fk_team_assignment_organisation_id_last_agent_id_agents"),
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id", "team_id"],
            ["teams.organisation_id", "teams.id"],
            name=op.f("fk_team_assignment_organisation_id_team_id_teams"),
        ),
        sa.PrimaryKeyConstraint("organisation_id", "team_id", name=op.f("pk_team_assignment")),
    )


def downgrade() -> None:
    op.drop_table("team_assignment")
