"""Turning a migrated PostgreSQL with the Citus extension into Attent's distributed layout.

Every organisation table's primary key starts with `organisation_id` and every foreign key includes it,
so each is distributed by `organisation_id`, all co-located: an organisation's rows of every table sit
on one shard group, and every query that names the organisation goes to one node. The organisations
table is a reference table (a copy on every node: it is small, read on every request, and its
`UNIQUE(slug)` could not hold on a table distributed by id). Tables that belong to no organisation
(the sign-in throttle, Alembic's version) stay on the coordinator.

Distributing runs in one transaction and skips what is already distributed, so `attent citus
distribute` can be run again after a migration that added a table.
"""

from dataclasses import dataclass, field

from sqlalchemy import Engine, MetaData, text

DISTRIBUTION_COLUMN = "organisation_id"
REFERENCE_TABLES = ("organisations",)


@dataclass
class Distributed:
    """What `distribute` did."""

    reference: list[str] = field(default_factory=list)
    distributed: list[str] = field(default_factory=list)
    already: list[str] = field(default_factory=list)
    local: list[str] = field(default_factory=list)

    def describe(self) -> str:
        """One line for the CLI."""
        return (
            f"{len(self.reference)} reference and {len(self.distributed)} distributed tables made,"
            f" {len(self.already)} already in place, {len(self.local)} kept on the coordinator"
            f" ({', '.join(self.local) or 'none'})."
        )


def is_citus(engine: Engine) -> bool:
    """Whether the database has the Citus extension."""
    if engine.dialect.name != "postgresql":
        return False
    with engine.connect() as conn:
        return bool(conn.scalar(text("SELECT count(*) FROM pg_extension WHERE extname = 'citus'")))


_FOREIGN_KEYS = text(
    """
    SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid)
    FROM pg_constraint WHERE contype = 'f' AND connamespace = current_schema()::regnamespace
    ORDER BY conrelid::regclass::text, conname
    """
)


def distribute(engine: Engine, metadata: MetaData) -> Distributed:
    """Make the reference table and distribute every organisation table, all in one transaction.

    A table cannot be distributed while a local table still references it, so the foreign keys are
    dropped first and made again once every table is placed (Citus then keeps them on every shard).
    One transaction: a failure leaves the database as it was, and running it again is safe."""
    if not is_citus(engine):
        raise RuntimeError("this database has no Citus extension (CREATE EXTENSION citus on the coordinator)")
    done = Distributed()
    with engine.begin() as conn:
        conn.execute(text("SET LOCAL citus.multi_shard_modify_mode TO 'sequential'"))
        placed = set(  # a "local" citus table (one Citus manages because of a foreign key) is not placed
            conn.scalars(text("SELECT table_name::text FROM citus_tables WHERE citus_table_type <> 'local'"))
        )
        todo = [t for t in metadata.sorted_tables if t.name not in placed]
        done.already = [t.name for t in metadata.sorted_tables if t.name in placed]
        if not any(t.name in REFERENCE_TABLES or DISTRIBUTION_COLUMN in t.c for t in todo):
            done.local = [t.name for t in todo]
            return done
        ours = {t.name for t in metadata.sorted_tables}  # not the shards Citus keeps on this node
        keys = [key for key in conn.execute(_FOREIGN_KEYS) if key[0] in ours]
        for table, name, _definition in keys:
            conn.execute(text(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"'))
        colocate = next((n for n in done.already if n not in REFERENCE_TABLES), None)
        for table in todo:
            name = table.name
            if name in REFERENCE_TABLES:
                conn.execute(text(f"SELECT create_reference_table('{name}')"))
                done.reference.append(name)
            elif DISTRIBUTION_COLUMN in table.c:
                with_ = f"'{colocate}'" if colocate else "'default'"
                arguments = f"'{name}', '{DISTRIBUTION_COLUMN}', colocate_with => {with_}"
                conn.execute(text(f"SELECT create_distributed_table({arguments})"))  # our own names only
                done.distributed.append(name)
                colocate = colocate or name
            else:
                done.local.append(name)
        for table, name, definition in keys:
            conn.execute(text(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}'))
    return done
