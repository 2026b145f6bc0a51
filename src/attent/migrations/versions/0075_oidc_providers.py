"""Single sign-on: one OpenID Connect provider per organisation, its client secret sealed.

Revision ID: 0075
Revises: 0074
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import attent.core.db

revision: str = "0075"
down_revision: str | None = "0074"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "oidc_providers",
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("label", sa.String(length=80), nullable=False),
        sa.Column("issuer", sa.String(length=500), nullable=False),
        sa.Column("client_id", sa.String(length=300), nullable=False),
        sa.Column("client_secret", sa.Text(), nullable=False),
        sa.Column("allowed_domains", attent.core.db.JSONType, nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("create_agents", sa.Boolean(), nullable=False),
        sa.Column(
            "default_role",
            sa.Enum("agent", "lead", "admin", name="role", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("default_team_id", sa.Uuid(), nullable=True),
        sa.Column("required", sa.Boolean(), nullable=False),
        sa.Column("break_glass_agent_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", attent.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", attent.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_oidc_providers_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("organisation_id", "id", name=op.f("pk_oidc_providers")),
        sa.UniqueConstraint("organisation_id", name=op.f("uq_oidc_providers_organisation_id")),
    )


def downgrade() -> None:
    op.drop_table("oidc_providers")
