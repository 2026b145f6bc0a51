"""Join the attachments migration (branch `files`, 0025) and the phone and portal ones (0040, 0041), which
both start from 0018; nothing changes in the schema.

Revision ID: 0042
Revises: 0025, 0041
"""

from collections.abc import Sequence

revision: str = "0042"
down_revision: str | Sequence[str] | None = ("0025", "0041")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
