"""Every organisation has a default team, and a case without a team goes there.

A case created without team and owner was in nobody's My work and on no team view. The organisation
now names a default team (its first team; admins change it). This migration gives each organisation
that has teams its oldest one as default and moves its team-less cases there, with the open promises
on them that belonged to no team, so they show up in the team's My work and on its team view. No
timeline event is written for the move: the case never had a team, it lands where it would have been.

Revision ID: 0018
Revises: 0017
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("organisations", sa.Column("default_team_id", sa.Uuid(), nullable=True))
    # The oldest team per organisation, read first and written per organisation: on Citus an UPDATE of
    # the organisations reference table may not read the distributed teams table.
    bind = op.get_bind()
    oldest: dict[object, object] = {}
    for organisation_id, team_id in bind.execute(
        sa.text("SELECT organisation_id, id FROM teams ORDER BY organisation_id, created_at, id")
    ):
        oldest.setdefault(organisation_id, team_id)
    if oldest:
        bind.execute(
            sa.text(
                "UPDATE organisations SET default_team_id = :team WHERE id = :org AND default_team_id IS NULL"
            ),
            [{"org": org, "team": team} for org, team in oldest.items()],
        )
    op.execute(
        """
        UPDATE cases SET team_id = (
            SELECT organisations.default_team_id FROM organisations
            WHERE organisations.id = cases.organisation_id
        )
        WHERE team_id IS NULL AND EXISTS (
            SELECT 1 FROM organisations
            WHERE organisations.id = cases.organisation_id AND organisations.default_team_id IS NOT NULL
        )
        """
    )
    op.execute(
        """
        UPDATE promises SET team_id = (
            SELECT cases.team_id FROM cases
            WHERE cases.organisation_id = promises.organisation_id AND cases.id = promises.case_id
        )
        WHERE team_id IS NULL AND state = 'open'
        """
    )


def downgrade() -> None:
    with op.batch_alter_table("organisations") as batch:
        batch.drop_column("default_team_id")
