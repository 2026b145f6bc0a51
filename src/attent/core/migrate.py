"""Alembic, configured from code so `attent migrate` works wherever the package is installed."""

from pathlib import Path

from alembic import command
from alembic.config import Config

from attent.core.db import normalise_url
from attent.core.settings import ensure_sqlite_dir

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(url: str) -> Config:
    """An Alembic config pointing at our migrations and the given database."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", normalise_url(url).replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the database schema up to `revision`."""
    ensure_sqlite_dir(url)
    command.upgrade(alembic_config(url), revision)
