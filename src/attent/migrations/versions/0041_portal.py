"""The customer's side (issue 16): web form submissions, single-use sign-in links, customer sessions.

Revision ID: 0041
Revises: 0040
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import attent.core.db

revision: str = "0041"
down_revision: str | None = "0040"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "portal_submissions",
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("remote", sa.String(length=64), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=True),
        sa.Column("at", attent.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_portal_submissions_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("organisation_id", "id", name=op.f("pk_portal_submissions")),
    )
    with op.batch_alter_table("portal_submissions", schema=None) as batch_op:
        batch_op.create_index("ix_portal_submissions_email", ["organisation_id", "email", "at"], unique=False)
        batch_op.create_index(
            "ix_portal_submissions_remote", ["organisation_id", "remote", "at"], unique=False
        )

    op.create_table(
        "portal_sessions",
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", attent.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", attent.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id", "customer_id"],
            ["customers.organisation_id", "customers.id"],
            name=op.f("fk_portal_sessions_organisation_id_customer_id_customers"),
        ),
        sa.PrimaryKeyConstraint("organisation_id", "id", name=op.f("pk_portal_sessions")),
        sa.UniqueConstraint("token_hash", name="uq_portal_sessions_token"),
    )
    op.create_table(
        "portal_signin_links",
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("next_path", sa.String(length=300), nullable=True),
        sa.Column("created_at", attent.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", attent.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("used_at", attent.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["organisation_id", "customer_id"],
            ["customers.organisation_id", "customers.id"],
            name=op.f("fk_portal_signin_links_organisation_id_customer_id_customers"),
        ),
        sa.PrimaryKeyConstraint("organisation_id", "id", name=op.f("pk_portal_signin_links")),
        sa.UniqueConstraint("token_hash", name="uq_portal_signin_links_token"),
    )


def downgrade() -> None:
    op.drop_table("portal_signin_links")
    op.drop_table("portal_sessions")
    with op.batch_alter_table("portal_submissions", schema=None) as batch_op:
        batch_op.drop_index("ix_portal_submissions_remote")
        batch_op.drop_index("ix_portal_submissions_email")

    op.drop_table("portal_submissions")
