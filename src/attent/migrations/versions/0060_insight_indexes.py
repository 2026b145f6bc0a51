"""Indexes for insight: cases resolved and opened in a period, promises made in one, a customer's
contacts after a resolution, and resolutions and reopens on the timeline.

Without them each figure scans every case, contact or timeline event of the organisation.

Revision ID: 0060
Revises: 0025
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0060"
down_revision: str | None = "0025"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = [
    ("ix_cases_resolved", "cases", ["organisation_id", "resolved_at"]),
    ("ix_cases_created", "cases", ["organisation_id", "created_at"]),
    ("ix_promises_made", "promises", ["organisation_id", "made_at"]),
    ("ix_contacts_customer", "contacts", ["organisation_id", "customer_id", "started_at"]),
    ("ix_timeline_events_kind", "timeline_events", ["organisation_id", "kind", "at"]),
]


def upgrade() -> None:
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)


def downgrade() -> None:
    for name, table, _columns in reversed(INDEXES):
        op.drop_index(name, table_name=table)
