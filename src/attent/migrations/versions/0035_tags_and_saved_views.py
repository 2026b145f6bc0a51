"""Tags on cases (the organisation's managed list) and saved views of the case queue.

`tags` is the list (names unique per organisation, stored lower case), `case_tags` which case carries
which tag (indexed by tag for the queue's tag filter), `saved_views` a named set of queue filters, an
agent's own (`agent_id`) or shared with a team (`team_id`).

Revision ID: 0035
Revises: 0030
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import attent.core.db

revision: str = "0035"
down_revision: str | None = "0030"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "tags",
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("created_at", attent.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("organisation_id", "id", name=op.f("pk_tags")),
        sa.UniqueConstraint("organisation_id", "name", name=op.f("uq_tags_organisation_id_name")),
    )
    op.create_table(
        "saved_views",
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("agent_id", sa.Uuid(), nullable=True),
        sa.Column("team_id", sa.Uuid(), nullable=True),
        sa.Column("filters", JSON, nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=False),
        sa.Column("created_at", attent.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id", "agent_id"],
            ["agents.organisation_id", "agents.id"],
            name=op.f("fk_saved_views_organisation_id_agent_id_agents"),
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id", "created_by"],
            ["agents.organisation_id", "agents.id"],
            name=op.f("fk_saved_views_organisation_id_created_by_agents"),
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id", "team_id"],
            ["teams.organisation_id", "teams.id"],
            name=op.f("fk_saved_views_organisation_id_team_id_teams"),
        ),
        sa.PrimaryKeyConstraint("organisation_id", "id", name=op.f("pk_saved_views")),
    )
    with op.batch_alter_table("saved_views") as batch_op:
        batch_op.create_index("ix_saved_views_agent", ["organisation_id", "agent_id"], unique=False)
        batch_op.create_index("ix_saved_views_team", ["organisation_id", "team_id"], unique=False)
    op.create_table(
        "case_tags",
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("tag_id", sa.Uuid(), nullable=False),
        sa.Column("added_at", attent.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id", "case_id"],
            ["cases.organisation_id", "cases.id"],
            name=op.f("fk_case_tags_organisation_id_case_id_cases"),
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id", "tag_id"],
            ["tags.organisation_id", "tags.id"],
            name=op.f("fk_case_tags_organisation_id_tag_id_tags"),
        ),
        sa.PrimaryKeyConstraint("organisation_id", "case_id", "tag_id", name=op.f("pk_case_tags")),
    )
    with op.batch_alter_table("case_tags") as batch_op:
        batch_op.create_index("ix_case_tags_tag", ["organisation_id", "tag_id", "case_id"], unique=False)


def downgrade() -> None:
    op.drop_table("case_tags")
    op.drop_table("saved_views")
    op.drop_table("tags")
