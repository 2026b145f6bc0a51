"""Administration in the browser and a sign-in a security checklist accepts.

Single-use e-mailed links (an invitation sets the first password, a reset a forgotten one), two-factor
sign-in (the agent's sealed TOTP secret, the last step used, ten hashed recovery codes), and API tokens
with a scope (everything, or read-only) and sessions that name the browser they were opened in.

Revision ID: 0050
Revises: 0041
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import attent.core.db

revision: str = "0050"
down_revision: str | None = "0041"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("agents") as batch:
        batch.add_column(sa.Column("totp_secret", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("totp_last_step", sa.Integer(), nullable=True))
    with op.batch_alter_table("api_tokens") as batch:
        batch.add_column(
            sa.Column(
                "scope",
                sa.Enum("all", "read", name="tokenscope", native_enum=False, length=32),
                nullable=False,
                server_default="all",
            )
        )
        batch.add_column(sa.Column("device", sa.String(length=200), nullable=True))
    with op.batch_alter_table("api_tokens") as batch:
        batch.alter_column("scope", server_default=None)
    op.create_table(
        "agent_links",
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("agent_id", sa.Uuid(), nullable=False),
        sa.Column(
            "purpose",
            sa.Enum("invite", "reset", name="linkpurpose", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", attent.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", attent.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("used_at", attent.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["organisation_id", "agent_id"],
            ["agents.organisation_id", "agents.id"],
            name=op.f("fk_agent_links_organisation_id_agent_id_agents"),
        ),
        sa.PrimaryKeyConstraint("organisation_id", "id", name=op.f("pk_agent_links")),
    )
    op.create_index("ix_agent_links_token_hash", "agent_links", ["token_hash"])
    op.create_table(
        "agent_recovery_codes",
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("agent_id", sa.Uuid(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", attent.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("used_at", attent.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["organisation_id", "agent_id"],
            ["agents.organisation_id", "agents.id"],
            name=op.f("fk_agent_recovery_codes_organisation_id_agent_id_agents"),
        ),
        sa.PrimaryKeyConstraint("organisation_id", "id", name=op.f("pk_agent_recovery_codes")),
    )
    op.create_index("ix_agent_recovery_codes_agent", "agent_recovery_codes", ["organisation_id", "agent_id"])


def downgrade() -> None:
    op.drop_index("ix_agent_recovery_codes_agent", table_name="agent_recovery_codes")
    op.drop_table("agent_recovery_codes")
    op.drop_index("ix_agent_links_token_hash", table_name="agent_links")
    op.drop_table("agent_links")
    with op.batch_alter_table("api_tokens") as batch:
        batch.drop_column("device")
        batch.drop_column("scope")
    with op.batch_alter_table("agents") as batch:
        batch.drop_column("totp_last_step")
        batch.drop_column("totp_secret")
