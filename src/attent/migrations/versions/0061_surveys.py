"""Surveys after resolution: one per case, sent by the worker, answered once through a hashed token.

Revision ID: 0061
Revises: 0060
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0061"
down_revision: str | None = "0060"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "surveys",
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("state", sa.String(length=32), nullable=False),
        sa.Column("skip_reason", sa.String(length=40), nullable=True),
        sa.Column("token_hash", sa.String(length=64), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("csat", sa.Integer(), nullable=True),
        sa.Column("ces", sa.Integer(), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id", "case_id"],
            ["cases.organisation_id", "cases.id"],
            name="fk_surveys_organisation_id_case_id_cases",
        ),
        sa.PrimaryKeyConstraint("organisation_id", "id", name="pk_surveys"),
        sa.UniqueConstraint("organisation_id", "case_id", name="uq_surveys_organisation_id_case_id"),
    )
    op.create_index("ix_surveys_customer", "surveys", ["organisation_id", "customer_id", "sent_at"])
    op.create_index("ix_surveys_sent", "surveys", ["organisation_id", "sent_at"])
    op.create_index(
        "ix_surveys_due_at",
        "surveys",
        ["due_at"],
        postgresql_where=sa.text("state = 'scheduled'"),
        sqlite_where=sa.text("state = 'scheduled'"),
    )


def downgrade() -> None:
    op.drop_table("surveys")
