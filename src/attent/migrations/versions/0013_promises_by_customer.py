"""An index for a customer's open promises, which every logged contact looks for.

Revision ID: 0013
Revises: 0012
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_promises_customer", "promises", ["organisation_id", "customer_id", "state"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_promises_customer", table_name="promises")
