"""Attachments: files on a case, their content kept once per hash in the storage (ATTENT_FILES_DIR).

Revision ID: 0025
Revises: 0018
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import attent.core.db

revision: str = "0025"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "attachments",
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("contact_id", sa.Uuid(), nullable=True),
        sa.Column("message_id", sa.Uuid(), nullable=True),
        sa.Column("note_id", sa.Uuid(), nullable=True),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("content_type", sa.String(length=127), nullable=False),
        sa.Column("declared_type", sa.String(length=127), nullable=False),
        sa.Column("flags", attent.core.db.JSONType, nullable=False),
        sa.Column("content_id", sa.String(length=255), nullable=True),
        sa.Column("inline", sa.Boolean(), nullable=False),
        sa.Column("uploaded_by", sa.Enum("agent", "customer", "system", name="uploadedby",
                                         native_enum=False, create_constraint=False, length=32), nullable=False),
        sa.Column("agent_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", attent.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id", "agent_id"], ["agents.organisation_id", "agents.id"],
            name=op.f("fk_attachments_organisation_id_agent_id_agents"),
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id", "case_id"], ["cases.organisation_id", "cases.id"],
            name=op.f("fk_attachments_organisation_id_case_id_cases"),
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id", "contact_id"], ["contacts.organisation_id", "contacts.id"],
            name=op.f("fk_attachments_organisation_id_contact_id_contacts"),
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id", "message_id"], ["messages.organisation_id", "messages.id"],
            name=op.f("fk_attachments_organisation_id_message_id_messages"),
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id", "note_id"], ["notes.organisation_id", "notes.id"],
            name=op.f("fk_attachments_organisation_id_note_id_notes"),
        ),
        sa.PrimaryKeyConstraint("organisation_id", "id", name=op.f("pk_attachments")),
    )  # fmt: skip
    op.create_index("ix_attachments_case", "attachments", ["organisation_id", "case_id", "created_at"])
    op.create_index("ix_attachments_contact", "attachments", ["organisation_id", "contact_id"])
    op.create_index("ix_attachments_sha256", "attachments", ["organisation_id", "sha256"])


def downgrade() -> None:
    op.drop_index("ix_attachments_sha256", table_name="attachments")
    op.drop_index("ix_attachments_contact", table_name="attachments")
    op.drop_index("ix_attachments_case", table_name="attachments")
    op.drop_table("attachments")
