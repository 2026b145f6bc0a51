"""PostgreSQL tells the live pages about new timeline events itself, in the transaction that adds them.

A statement-level trigger on timeline_events sends one `pg_notify` per case the statement touched,
delivered on commit like the `pg_notify` the app used to send before every commit: the same signal,
one round trip less per request, and it also covers rows written by COPY or by hand. SQLite has no
NOTIFY; there the app publishes to its own process after commit (attent.core.live).

Revision ID: 0014
Revises: 0013
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
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


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER timeline_events_notify ON timeline_events")
    op.execute("DROP FUNCTION attent_notify_case_events()")
