"""Alembic environment: runs migrations online against the configured URL."""

from alembic import context
from sqlalchemy import create_engine, pool

from attent.core.db import CITUS_OPTIONS, normalise_url, sqlite_functions
from attent.migrations import citus
from attent.models import Base

config = context.config
target_metadata = Base.metadata


def run() -> None:
    connectable = config.attributes.get("connection")
    if connectable is None:
        url = normalise_url(config.get_main_option("sqlalchemy.url") or "")
        # On Citus a migration that changes a distributed text search configuration (0030) after touching
        # a distributed table must use one connection per node, as the app's connections do.
        options = {} if url.startswith("sqlite") else {"options": CITUS_OPTIONS}
        engine = create_engine(url, poolclass=pool.NullPool, connect_args=options)
        with engine.begin() as connection:
            _migrate(connection)
        engine.dispose()
    else:
        _migrate(connectable)


def _migrate(connection) -> None:
    if connection.dialect.name == "sqlite":  # triggers of the search index (0030) call attent_terms
        sqlite_functions(connection.connection.dbapi_connection)
    citus.prepare(connection)
    context.configure(
        connection=connection, target_metadata=target_metadata, render_as_batch=True, compare_type=True
    )
    with context.begin_transaction():
        context.run_migrations()


run()
