"""Idempotency keys belong to their caller: organisation, agent and kind of credential.

The records only live for a day, so the table is made again rather than converted: a key sent in
the minutes around the upgrade runs once more instead of replaying (nothing else is lost).

Revision ID: 0016
Revises: 0014
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import attent.core.db

revision: str = "0016"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _create(caller: bool) -> None:
    columns = [
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        *(
            [
                sa.Column("agent_id", sa.Uuid(), nullable=False),
                sa.Column("credential", sa.String(length=16), nullable=False),
            ]
            if caller
            else []
        ),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column(
            "response",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("created_at", attent.core.db.UTCDateTime(timezone=True), nullable=False),
    ]
    key = ["organisation_id", "agent_id", "credential", "key"] if caller else ["organisation_id", "key"]
    op.create_table(
        "idempotency_records",
        *columns,
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_idempotency_records_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint(*key, name=op.f("pk_idempotency_records")),
    )
    with op.batch_alter_table("idempotency_records", schema=None) as batch_op:
        batch_op.create_index("ix_idempotency_records_created_at", ["created_at"], unique=False)


def upgrade() -> None:
    op.drop_table("idempotency_records")
    _create(caller=True)


def downgrade() -> None:
    op.drop_table("idempotency_records")
    _create(caller=False)
