"""Alembic, configured from code so `attent migrate` works wherever the package is installed."""

from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, pool

from attent.core.db import normalise_url
from attent.core.settings import ensure_sqlite_dir

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


@dataclass(frozen=True)
class Migrated:
    """The schema's revision before and after `upgrade` (None before: the database had no schema yet)."""

    before: str | None
    after: str | None

    def describe(self, where: str) -> str:
        """What `attent migrate` did, in a sentence: created, upgraded, or nothing to do."""
        if self.before is None:
            return f"Created the database schema (revision {self.after}) in {where}."
        if self.before != self.after:
            return f"Upgraded the database schema from revision {self.before} to {self.after} in {where}."
        return f"Database is up to date (revision {self.after}) in {where}."


def alembic_config(url: str) -> Config:
    """An Alembic config pointing at our migrations and the given database."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", normalise_url(url).replace("%", "%%"))
    return config


def current_revision(url: str) -> str | None:
    """The revision the database's schema is at; None for a database Attent has not migrated."""
    ensure_sqlite_dir(url)
    engine = create_engine(normalise_url(url), poolclass=pool.NullPool)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()


def upgrade(url: str, revision: str = "head") -> Migrated:
    """Bring the database schema up to `revision`; says from which revision it started."""
    before = current_revision(url)
    command.upgrade(alembic_config(url), revision)
    return Migrated(before, current_revision(url))
