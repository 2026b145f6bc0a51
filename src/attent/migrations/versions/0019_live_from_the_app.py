"""Live updates are sent by the application after commit, not by a trigger on timeline_events.

Migration 0014's statement-level trigger sent `pg_notify` inside the writing transaction. On Citus that
cannot work: the trigger is refused on a distributed table, it would notify on the worker node holding
the shard (the web processes listen on the coordinator), and a NOTIFY makes every two-phase commit fail.
The application now marks each changed case and sends one `pg_notify` statement after commit
(`attent.core.live`), COPY inserts included.

Revision ID: 0019
Revises: 0018
"""

from collections.abc import Sequence

from alembic import op
from sqlalchemy import text

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql" or _distributed("timeline_events"):
        return  # a distributed table never had the trigger (Citus refuses even to drop one)
    op.execute("DROP TRIGGER IF EXISTS timeline_events_notify ON timeline_events")
    op.execute("DROP FUNCTION IF EXISTS attent_notify_case_events()")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql" or _distributed("timeline_events"):
        return  # on Citus the trigger cannot exist: live updates stay the application's
    op.execute(
        """
        CREATE FUNCTION attent_notify_case_events() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_notify('attent_live', changed.key)
            FROM (SELECT DISTINCT organisation_id::text || ':' || case_id::text AS key
                  FROM new_events WHERE case_id IS NOT NULL) AS changed;
            RETURN NULL;
        END
        $$
        """
    )
    op.execute(
        "CREATE TRIGGER timeline_events_notify AFTER INSERT ON timeline_events"
        " REFERENCING NEW TABLE AS new_events FOR EACH STATEMENT EXECUTE FUNCTION attent_notify_case_events()"
    )


def _distributed(table: str) -> bool:
    """Whether `table` is a Citus distributed table (never on plain PostgreSQL)."""
    bind = op.get_bind()
    if not bind.execute(text("SELECT to_regclass('pg_dist_partition') IS NOT NULL")).scalar():
        return False
    found = bind.execute(
        text("SELECT 1 FROM pg_dist_partition WHERE logicalrelid = to_regclass(:table)"), {"table": table}
    )
    return found.first() is not None
