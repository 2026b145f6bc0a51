"""The phone line: an organisation's telephone system, its calls and their events (issue 16).

Revision ID: 0040
Revises: 0061
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import attent.core.db

revision: str = "0040"
down_revision: str | None = "0061"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "phone_call_events",
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("call_ref", sa.String(length=100), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(length=20), nullable=False),
        sa.Column("at", attent.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column(
            "payload",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("received_at", attent.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("applied_at", attent.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("processed_at", attent.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_phone_call_events_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("organisation_id", "id", name=op.f("pk_phone_call_events")),
        sa.UniqueConstraint("organisation_id", "call_ref", "sequence", name="uq_phone_call_events_seq"),
    )
    with op.batch_alter_table("phone_call_events", schema=None) as batch_op:
        batch_op.create_index("ix_phone_call_events_queued", ["processed_at", "received_at"], unique=False)

    op.create_table(
        "phone_calls",
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("call_ref", sa.String(length=100), nullable=False),
        sa.Column("direction", sa.String(length=10), nullable=True),
        sa.Column("caller", sa.String(length=64), nullable=True),
        sa.Column("number", sa.String(length=20), nullable=True),
        sa.Column("queue", sa.String(length=100), nullable=True),
        sa.Column("customer_id", sa.Uuid(), nullable=True),
        sa.Column("case_id", sa.Uuid(), nullable=True),
        sa.Column("contact_id", sa.Uuid(), nullable=True),
        sa.Column("ringing_agent_id", sa.Uuid(), nullable=True),
        sa.Column("agent_id", sa.Uuid(), nullable=True),
        sa.Column("transfers", sa.Integer(), nullable=False),
        sa.Column("ringing_at", attent.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("answered_at", attent.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("ended_at", attent.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("ended_received_at", attent.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("settled_at", attent.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.String(length=20), nullable=True),
        sa.Column("promise_id", sa.Uuid(), nullable=True),
        sa.Column(
            "problems",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("created_at", attent.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", attent.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_phone_calls_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("organisation_id", "id", name=op.f("pk_phone_calls")),
        sa.UniqueConstraint("organisation_id", "call_ref", name="uq_phone_calls_ref"),
    )
    with op.batch_alter_table("phone_calls", schema=None) as batch_op:
        batch_op.create_index(
            "ix_phone_calls_agent", ["organisation_id", "agent_id", "settled_at"], unique=False
        )
        batch_op.create_index(
            "ix_phone_calls_ringing", ["organisation_id", "ringing_agent_id", "settled_at"], unique=False
        )
        batch_op.create_index(
            "ix_phone_calls_unsettled", ["organisation_id", "settled_at", "ended_at"], unique=False
        )

    op.create_table(
        "phone_lines",
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("provider", sa.String(length=20), nullable=False),
        sa.Column("secret_salt", sa.String(length=64), nullable=False),
        sa.Column("twilio_token", sa.Text(), nullable=True),
        sa.Column("abandoned_after_seconds", sa.Integer(), nullable=False),
        sa.Column("region", sa.String(length=2), nullable=False),
        sa.Column(
            "queues",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "extensions",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("created_at", attent.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", attent.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_phone_lines_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("organisation_id", "id", name=op.f("pk_phone_lines")),
        sa.UniqueConstraint("organisation_id", name="uq_phone_lines_organisation"),
    )


def downgrade() -> None:
    op.drop_table("phone_lines")
    with op.batch_alter_table("phone_calls", schema=None) as batch_op:
        batch_op.drop_index("ix_phone_calls_unsettled")
        batch_op.drop_index("ix_phone_calls_ringing")
        batch_op.drop_index("ix_phone_calls_agent")

    op.drop_table("phone_calls")
    with op.batch_alter_table("phone_call_events", schema=None) as batch_op:
        batch_op.drop_index("ix_phone_call_events_queued")
    op.drop_table("phone_call_events")
