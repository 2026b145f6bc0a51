"""The queue's sort keys on the case row: when the customer's oldest unanswered message was written
(`cases.waiting_since`) and when the soonest open promise is due (`cases.next_promise_due`).

Computed per case by a subquery on every page, they made a sort over 20,000 visible cases cost
150 to 200 ms; kept on the row (by the contacts and promises services, in the writing transaction) with
an index each, a page reads its 50 index entries. The backfill uses the same definitions as
`attent.contacts.waiting` and `attent.promises.next_due`.

On SQLite it also adds `search_customer_parts`, an FTS5 table with the trigram tokenizer over each
customer's name, e-mail address and phone digits, kept by triggers as `search_customers` is: a part of
a name, address or number is then an index lookup instead of a `LIKE '%…%'` over every customer of the
organisation (the phone digits' seven nested `replace` calls per row cost 50 ms at 5,000 customers).
PostgreSQL has trigram indexes for these since 0030.

Revision ID: 0073
Revises: 0075
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import attent.core.db

revision: str = "0073"
down_revision: str | None = "0075"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WAITING = """
UPDATE cases SET waiting_since = (
    SELECT min(said.at) FROM messages AS said
    WHERE said.organisation_id = cases.organisation_id AND said.case_id = cases.id
      AND said.speaker = 'customer'
      AND NOT EXISTS (
        SELECT 1 FROM messages AS reply
        WHERE reply.organisation_id = said.organisation_id AND reply.case_id = said.case_id
          AND reply.speaker = 'agent' AND reply.at > said.at)
      AND NOT EXISTS (
        SELECT 1 FROM contacts AS call
        WHERE call.organisation_id = said.organisation_id AND call.case_id = said.case_id
          AND call.direction = 'outbound' AND call.started_at > said.at)
)
"""
# Each sort's index carries what every queue filters by (status, and the team and owner that decide
# who may see a case), so a page is an index-only walk that stops after 50 rows, and the count an
# index-only pass: reading the heap for those columns was most of a page's time at 100,000 cases.
SEEN = ["status", "team_id", "owner_id"]
INDEXES = [
    ("ix_cases_waiting", ["organisation_id", "waiting_since", "id", *SEEN]),
    ("ix_cases_next_promise", ["organisation_id", "next_promise_due", "id", *SEEN]),
    ("ix_cases_activity", ["organisation_id", "updated_at", "id", *SEEN]),
    ("ix_cases_queue", ["organisation_id", *SEEN]),
]
NEXT_DUE = """
UPDATE cases SET next_promise_due = (
    SELECT min(p.due_by) FROM promises AS p
    WHERE p.organisation_id = cases.organisation_id AND p.case_id = cases.id AND p.state = 'open'
)
"""


# A phone number's digits, as migration 0030 and attent.search.service write them.
DIGITS = (
    "replace(replace(replace(replace(replace(replace(replace(coalesce({row}.phone, ''),"
    " ' ', ''), '-', ''), '+', ''), '(', ''), ')', ''), '.', ''), '/', '')"
)
PARTS = "search_customer_parts"
PART_COLUMNS = "name, email, phone, organisation_id, id"


def _part_values(row: str) -> str:
    return f"{row}.name, coalesce({row}.email, ''), {DIGITS.format(row=row)}, {row}.organisation_id, {row}.id"


def _upgrade_sqlite_parts() -> None:
    new, old = _part_values("new"), "organisation_id = old.organisation_id AND id = old.id"
    insert = f"INSERT INTO {PARTS} ({PART_COLUMNS})"  # the names are constants, never input
    renew = f"DELETE FROM {PARTS} WHERE {old}; {insert} VALUES ({new});"  # noqa: S608
    statements = [
        f"CREATE VIRTUAL TABLE {PARTS} USING fts5(name, email, phone,"
        " organisation_id UNINDEXED, id UNINDEXED, tokenize = 'trigram')",
        f"CREATE TRIGGER {PARTS}_insert AFTER INSERT ON customers BEGIN {insert} VALUES ({new}); END",  # noqa: S608
        f"CREATE TRIGGER {PARTS}_update AFTER UPDATE OF name, email, phone ON customers BEGIN {renew} END",
        f"CREATE TRIGGER {PARTS}_delete AFTER DELETE ON customers BEGIN DELETE FROM {PARTS} WHERE {old}; END",  # noqa: S608
        f"{insert} SELECT {_part_values('customers')} FROM customers",  # noqa: S608
    ]
    for statement in statements:
        op.execute(statement)


def upgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("waiting_since", attent.core.db.UTCDateTime(timezone=True), nullable=True))
        batch.add_column(
            sa.Column("next_promise_due", attent.core.db.UTCDateTime(timezone=True), nullable=True)
        )
    op.execute(WAITING)
    op.execute(NEXT_DUE)
    for name, columns in INDEXES:
        op.create_index(name, "cases", columns)
    if op.get_bind().dialect.name == "sqlite":
        _upgrade_sqlite_parts()


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for event in ("insert", "update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS {PARTS}_{event}")
        op.execute(f"DROP TABLE IF EXISTS {PARTS}")
    for name, _columns in reversed(INDEXES):
        op.drop_index(name, table_name="cases")
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("next_promise_due")
        batch.drop_column("waiting_since")
