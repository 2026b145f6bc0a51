"""Search: full-text and fragment indexes on customers, references, cases, messages and notes.

PostgreSQL: `unaccent` and `pg_trgm`; text search configurations `attent_dutch`, `attent_english` and
`attent_simple` (the built-in ones with `unaccent` before the stemmer, so "cafe" finds "café"); a
stored generated `search_vector` column on customers (name, simple), cases (subject weighted above
description) and messages and notes (Dutch and English), each with a GIN index. A generated column,
not a trigger: PostgreSQL keeps it current in the writing statement itself, nothing can forget it,
and ranking reads the stored vector instead of parsing the text again. Trigram GIN indexes serve
fragments of e-mail addresses, names, references and phone digits (`ILIKE '%…%'`).

SQLite: FTS5 tables (`unicode61 remove_diacritics 2`) holding `attent_terms(text)`, each word with
its Dutch and English stems (attent.core.textsearch), kept current by triggers in the writing
transaction; fragments are plain `LIKE`, enough for an embedded database.

Every object is named `search_…`; the models do not declare them (tests/integration/test_migrations.py
leaves them out of the drift check).

Revision ID: 0030
Revises: 0051 (first written after 0018; chained after main's head when main was merged in)
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0030"
down_revision: str | None = "0051"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# A phone number's digits, in SQL both databases speak; attent.search.service uses the same expression.
PHONE_DIGITS = (
    "replace(replace(replace(replace(replace(replace(replace(coalesce(phone, ''),"
    " ' ', ''), '-', ''), '+', ''), '(', ''), ')', ''), '.', ''), '/', '')"
)


def _vector(config: str, column: str, weight: str | None = None) -> str:
    # '<' and '>' as spaces: the parser reads "<script>…</script>" as one tag and drops the words in it.
    vector = f"to_tsvector('{config}'::regconfig, translate(coalesce({column}, ''), '<>', '  '))"
    return f"setweight({vector}, '{weight}')" if weight else vector


PG_VECTORS = {
    "customers": _vector("attent_simple", "name"),
    "cases": " || ".join(
        [
            _vector("attent_dutch", "subject", "A"),
            _vector("attent_english", "subject", "A"),
            _vector("attent_dutch", "description", "B"),
            _vector("attent_english", "description", "B"),
        ]
    ),
    "messages": f"{_vector('attent_dutch', 'text')} || {_vector('attent_english', 'text')}",
    "notes": f"{_vector('attent_dutch', 'text')} || {_vector('attent_english', 'text')}",
}
PG_TRIGRAMS = {
    "search_customers_name_trgm": ("customers", "name"),
    "search_customers_email_trgm": ("customers", "email"),
    "search_customers_phone_trgm": ("customers", f"({PHONE_DIGITS})"),
    "search_customer_refs_trgm": ("customer_refs", "value"),
    "search_attachments_filename_trgm": ("attachments", "filename"),
}

# table -> (FTS5 columns, the source's columns they index)
SQLITE_INDEXES = {
    # Names only: the words of an e-mail address would find a masked address by its parts.
    "customers": (("name",), ("name",)),
    "cases": (("subject", "description"), ("subject", "description")),
    "messages": (("text",), ("text",)),
    "notes": (("text",), ("text",)),
}


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _upgrade_postgres()
    else:
        _upgrade_sqlite()


def _upgrade_postgres() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, base, stemmer in (
        ("attent_dutch", "dutch", "dutch_stem"),
        ("attent_english", "english", "english_stem"),
        ("attent_simple", "simple", "simple"),
    ):
        op.execute(f"CREATE TEXT SEARCH CONFIGURATION {name} (COPY = pg_catalog.{base})")
        op.execute(
            f"ALTER TEXT SEARCH CONFIGURATION {name}"
            f" ALTER MAPPING FOR hword, hword_part, word WITH unaccent, {stemmer}"
        )
    for table, vector in PG_VECTORS.items():
        op.execute(
            f"ALTER TABLE {table} ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ({vector}) STORED"
        )
        op.execute(f"CREATE INDEX search_{table}_vector ON {table} USING gin (search_vector)")
    for index, (table, expression) in PG_TRIGRAMS.items():
        op.execute(f"CREATE INDEX {index} ON {table} USING gin ({expression} gin_trgm_ops)")


def _upgrade_sqlite() -> None:
    # The backfill below and the triggers call attent_terms, which migrations/env.py registers.
    for table, (columns, sources) in SQLITE_INDEXES.items():
        fts = f"search_{table}"
        op.execute(
            f"CREATE VIRTUAL TABLE {fts} USING fts5({', '.join(columns)},"
            " organisation_id UNINDEXED, id UNINDEXED, tokenize = 'unicode61 remove_diacritics 2')"
        )
        names = ", ".join((*columns, "organisation_id", "id"))
        new_values = ", ".join(
            (*(f"attent_terms(new.{s})" for s in sources), "new.organisation_id", "new.id")
        )
        old_row = "organisation_id = old.organisation_id AND id = old.id"
        op.execute(
            f"CREATE TRIGGER {fts}_insert AFTER INSERT ON {table} BEGIN"  # noqa: S608 (names are constants)
            f" INSERT INTO {fts} ({names}) VALUES ({new_values}); END"
        )
        op.execute(
            f"CREATE TRIGGER {fts}_update AFTER UPDATE OF {', '.join(sources)} ON {table} BEGIN"  # noqa: S608
            f" DELETE FROM {fts} WHERE {old_row};"
            f" INSERT INTO {fts} ({names}) VALUES ({new_values}); END"
        )
        op.execute(
            f"CREATE TRIGGER {fts}_delete AFTER DELETE ON {table} BEGIN DELETE FROM {fts} WHERE {old_row}; END"  # noqa: S608
        )
        source_values = ", ".join((*(f"attent_terms({s})" for s in sources), "organisation_id", "id"))
        op.execute(f"INSERT INTO {fts} ({names}) SELECT {source_values} FROM {table}")  # noqa: S608


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for index in PG_TRIGRAMS:
            op.execute(f"DROP INDEX IF EXISTS {index}")
        for table in PG_VECTORS:
            op.execute(f"ALTER TABLE {table} DROP COLUMN IF EXISTS search_vector")
        for name in ("attent_dutch", "attent_english", "attent_simple"):
            op.execute(f"DROP TEXT SEARCH CONFIGURATION IF EXISTS {name}")
        return
    for table in SQLITE_INDEXES:
        for event in ("insert", "update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS search_{table}_{event}")
        op.execute(f"DROP TABLE IF EXISTS search_{table}")
