"""Alembic migrations and the models never drift apart."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from attent.models import Base


def _not_search(_obj, name, _type, reflected, compare_to):
    """The search indexes (migration 0030: FTS5 tables, generated vectors, GIN indexes) are the database's
    own, named `search_…`, and no model declares them."""
    return not (reflected and compare_to is None and (name or "").startswith("search_"))


def test_models_match_migrations(engine_db):
    with engine_db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True, "include_object": _not_search})
        diff = compare_metadata(context, Base.metadata)
    assert diff == [], f"models and migrations differ; generate a migration: {diff}"


# Before sign-in nobody belongs to an organisation yet: a failed attempt may name no agent at all.
SPANS_ORGANISATIONS = {"organisations", "sign_in_throttle"}


def test_every_table_carries_the_organisation():
    for table in Base.metadata.sorted_tables:
        if table.name in SPANS_ORGANISATIONS:
            continue
        assert "organisation_id" in table.c, table.name
        assert table.primary_key.columns.values()[0].name == "organisation_id", table.name
        for fk in table.foreign_key_constraints:
            assert "organisation_id" in [c.name for c in fk.columns], f"{table.name}: {fk.name}"
