"""Canned replies: an agent's own or a team's, in Dutch and English, with {{variables}}; sending one
may also move the case to a status and put a tag on it.

Revision ID: 0037
Revises: 0036
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import attent.core.db

revision: str = "0037"
down_revision: str | None = "0036"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "canned_replies",
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("agent_id", sa.Uuid(), nullable=True),
        sa.Column("team_id", sa.Uuid(), nullable=True),
        sa.Column("text_nl", sa.Text(), nullable=False),
        sa.Column("text_en", sa.Text(), nullable=False),
        sa.Column("then_status", sa.String(length=32), nullable=True),
        sa.Column("then_tag", sa.String(length=40), nullable=True),
        sa.Column("created_by", sa.Uuid(), nullable=False),
        sa.Column("created_at", attent.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", attent.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id", "agent_id"],
            ["agents.organisation_id", "agents.id"],
            name=op.f("fk_canned_replies_organisation_id_agent_id_agents"),
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id", "created_by"],
            ["agents.organisation_id", "agents.id"],
            name=op.f("fk_canned_replies_organisation_id_created_by_agents"),
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id", "team_id"],
            ["teams.organisation_id", "teams.id"],
            name=op.f("fk_canned_replies_organisation_id_team_id_teams"),
        ),
        sa.PrimaryKeyConstraint("organisation_id", "id", name=op.f("pk_canned_replies")),
    )
    with op.batch_alter_table("canned_replies") as batch_op:
        batch_op.create_index("ix_canned_replies_agent", ["organisation_id", "agent_id"], unique=False)
        batch_op.create_index("ix_canned_replies_team", ["organisation_id", "team_id"], unique=False)


def downgrade() -> None:
    op.drop_table("canned_replies")
