"""Migrations on a Citus cluster that is already distributed.

`attent citus distribute` places the tables once; a later migration that creates a table with a foreign
key to a distributed table is refused by Citus ("foreign keys from … local tables to distributed tables
are not supported") before anyone could distribute it. So on such a cluster a new organisation table is
made without its foreign keys, distributed by `organisation_id` beside the others, and then given its
keys: the same end state as `attent citus distribute` after the migration, reached inside it.
"""

from typing import Any

from alembic.ddl.postgresql import PostgresqlImpl
from sqlalchemy import Connection, ForeignKeyConstraint, Table, text

from attent.core.citus import DISTRIBUTION_COLUMN

DISTRIBUTED = "attent.citus_distributed"
# pg_dist_partition, not the citus_tables view: the view measures every shard over other connections,
# which wait for the locks this migration's transaction holds.
_BESIDE = text(
    "SELECT logicalrelid::regclass::text FROM pg_dist_partition WHERE partmethod = 'h' ORDER BY 1 LIMIT 1"
)


def prepare(connection: Connection) -> None:
    """Note on the connection whether the cluster is distributed already (before that, `attent citus
    distribute` places every table after the migrations)."""
    if connection.dialect.name != "postgresql":
        return
    if connection.scalar(text("SELECT count(*) FROM pg_extension WHERE extname = 'citus'")):
        connection.info[DISTRIBUTED] = connection.scalar(_BESIDE) is not None


class CitusAwareImpl(PostgresqlImpl):
    """PostgreSQL's migration operations, distributing a new organisation table on a distributed cluster."""

    __dialect__ = "postgresql"

    def create_table(self, table: Table, **kw: Any) -> None:
        connection = self.connection
        if connection is None or not connection.info.get(DISTRIBUTED) or DISTRIBUTION_COLUMN not in table.c:
            super().create_table(table, **kw)
            return
        keys = [c for c in table.constraints if isinstance(c, ForeignKeyConstraint)]
        super().create_table(table, include_foreign_key_constraints=[], **kw)
        beside = connection.scalar(_BESIDE) or "default"  # a downgrade may have dropped the others
        self._exec(
            text("SELECT create_distributed_table(:table, :column, colocate_with => :beside)").bindparams(
                table=table.name, column=DISTRIBUTION_COLUMN, beside=beside
            )
        )
        for key in keys:
            self.add_constraint(key)
