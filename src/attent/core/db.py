"""Engine, session factory, declarative base and the column types every domain shares."""

import enum
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import partial
from typing import Any

from sqlalchemy import (
    JSON,
    Connection,
    DateTime,
    Dialect,
    Engine,
    Enum,
    MetaData,
    Uuid,
    create_engine,
    event,
    insert,
    update,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import ExceptionContext
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker
from sqlalchemy.pool import ConnectionPoolEntry, QueuePool
from sqlalchemy.types import TypeDecorator

from attent.core.ids import uuid7
from attent.core.settings import ensure_sqlite_dir
from attent.core.textsearch import terms


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware in, timezone-aware out, stored as UTC on every database."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Refuse naive datetimes: a time without a zone is a bug waiting for a DST change."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where a timezone-aware one is required")
        utc = value.astimezone(UTC)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """SQLite hands back naive values; they were stored as UTC."""
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


JSONType = JSON().with_variant(JSONB(), "postgresql")

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """The declarative base; datetimes are UTC-aware and dicts are JSON(B) by default."""

    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UTCDateTime, dict[str, Any]: JSONType, uuid.UUID: Uuid}


def str_enum(cls: type[enum.StrEnum]) -> Enum:
    """Store an enum as its value in a VARCHAR, so adding a member needs no migration."""
    return Enum(
        cls,
        native_enum=False,
        create_constraint=False,
        length=32,
        values_callable=lambda e: [m.value for m in e],
    )


class TenantMixin:
    """Every tenant row: primary key (organisation_id, id), so the schema shards by organisation."""

    organisation_id: Mapped[uuid.UUID] = mapped_column(primary_key=True, sort_order=-2)
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid7, sort_order=-1)


def _sqlite_pragmas(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
    """WAL for concurrent readers; we issue BEGIN ourselves so savepoints work (pysqlite quirk)."""
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
    sqlite_functions(dbapi_connection)


def sqlite_functions(dbapi_connection: Any) -> None:
    """The SQL functions Attent's SQLite schema calls: the search index's triggers stem words in the
    writing transaction (`attent_terms`, attent.core.textsearch). Every connection that writes needs them:
    the engine's, and Alembic's for migrations that write cases, customers, messages or notes."""
    dbapi_connection.create_function("attent_terms", 1, terms, deterministic=True)


# On Citus a request reads a distributed table across organisations before it knows its own (the API
# token by its hash) and may then write the organisations reference table; Citus allows that write only
# when the read used one connection per node. Plain PostgreSQL keeps the setting as an unused placeholder.
CITUS_OPTIONS = "-c citus.multi_shard_modify_mode=sequential"


def make_engine(url: str, *, pool_size: int = 10) -> Engine:
    """An engine for SQLite (embedded default) or PostgreSQL (production)."""
    url = normalise_url(url)
    if url.startswith("sqlite"):
        ensure_sqlite_dir(url)
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 10},
            pool_size=pool_size,
            max_overflow=pool_size,
            hide_parameters=True,  # errors and logs never show the values: e-mail addresses, hashes
        )
        event.listen(engine, "handle_error", _without_values)
        event.listen(engine, "connect", _sqlite_pragmas)
        # IMMEDIATE takes the write lock up front: no "database is locked" when a read turns into a write.
        event.listen(engine, "begin", lambda conn: conn.exec_driver_sql("BEGIN IMMEDIATE"))
        return engine
    engine = create_engine(
        url,
        pool_size=pool_size,
        max_overflow=pool_size,
        hide_parameters=True,
        connect_args={"options": CITUS_OPTIONS},
    )
    event.listen(engine, "handle_error", _without_values)
    ping_when_idle(engine)
    return engine


def ping_when_idle(engine: Engine) -> None:
    """Test a pooled connection on checkout only when it sat idle in the pool (`_ping_if_idle`)."""
    event.listen(engine, "checkin", _note_checkin)
    event.listen(engine, "checkout", partial(_ping_if_idle, engine.dialect))


def _without_values(context: ExceptionContext) -> None:
    """Keep only the first line of a database error: PostgreSQL's DETAIL and CONTEXT quote row values.

    "Key (organisation_id, email)=(…, jan@example.nl) already exists" would otherwise reach every log
    line and traceback that prints the error. The constraint's name stays (it is in the first line),
    and the full diagnostics stay on the driver's exception (`orig.diag`) for code that needs them.
    """
    for error in (context.original_exception, context.sqlalchemy_exception):
        if error is not None and len(error.args) == 1 and isinstance(error.args[0], str):
            first, newline, _rest = error.args[0].partition("\n")
            if newline:
                error.args = (first,)


PING_AFTER_IDLE_SECONDS = 5.0


def _note_checkin(_dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
    record.info["checked_in"] = time.monotonic()


def _ping_if_idle(dialect: Dialect, dbapi_connection: Any, record: ConnectionPoolEntry, _proxy: Any) -> None:
    """Test a connection that sat idle before handing it out; a dead one is replaced, not used.

    `pool_pre_ping` would test every checkout: one more round trip per request, a tenth of a POST's
    cost. A connection that was in use a moment ago is alive; one idle for a while may have been cut
    by a database restart or a firewall, and raising DisconnectionError makes the pool reconnect.
    """
    if time.monotonic() - record.info.get("checked_in", 0.0) < PING_AFTER_IDLE_SECONDS:
        return
    try:
        alive = dialect.do_ping(dbapi_connection)
    except dialect.loaded_dbapi.Error as exc:
        raise DisconnectionError("the connection went away while idle in the pool") from exc
    if not alive:
        raise DisconnectionError("the connection went away while idle in the pool")


def insert_many(db: Session, model: type[Base], rows: list[dict[str, Any]]) -> None:
    """Insert many rows in one go: COPY on PostgreSQL, executemany on SQLite.

    Every row names the same columns (any left out get their server default). On PostgreSQL this is
    the cheapest path by far: executemany binds and executes one statement per row, and a multi-row
    INSERT of hundreds of rows costs psycopg a regex split of the whole statement on every call
    (bench/README.md, promise keeper). Values go through the columns' own bind processors, so enums,
    JSON and UTC datetimes are stored exactly as an INSERT would store them.
    """
    if not rows:
        return
    table = Base.metadata.tables[model.__tablename__]
    connection = db.connection()
    dialect = connection.dialect
    if dialect.name != "postgresql":
        connection.execute(insert(table), rows)
        return
    db.flush()  # pending ORM rows first, as an INSERT through the session would order them
    columns = [column for column in table.columns if column.name in rows[0]]
    processors = [column.type.dialect_impl(dialect).bind_processor(dialect) for column in columns]
    names = [column.name for column in columns]
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    with cursor.copy(f"COPY {table.name} ({', '.join(names)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(
                [value if process is None else process(value)
                 for value, process in zip(map(row.__getitem__, names), processors, strict=True)]
            )  # fmt: skip


def repoint(
    db: Session, model: type[Base], *, organisation_id: uuid.UUID, old: uuid.UUID, new: uuid.UUID
) -> None:
    """Point a table's rows of one case at another (a merge), in one UPDATE."""
    table = Base.metadata.tables[model.__tablename__]
    where = (table.c.organisation_id == organisation_id, table.c.case_id == old)
    db.execute(update(table).where(*where).values(case_id=new))


def normalise_url(url: str) -> str:
    """Accept plain postgresql:// URLs and use psycopg 3 for them."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


class Database:
    """An engine and its session factory, owned by the app or the worker."""

    def __init__(self, engine: Engine, *, bind: Connection | None = None) -> None:
        self.engine = engine
        if bind is None:
            self.sessions = sessionmaker(engine, expire_on_commit=False)
        else:  # tests: every "commit" is a savepoint inside the test's transaction, rolled back afterwards
            self.sessions = sessionmaker(
                bind=bind, expire_on_commit=False, join_transaction_mode="create_savepoint"
            )

    @classmethod
    def from_url(cls, url: str, *, pool_size: int = 10) -> "Database":
        """Connect to the database at `url`."""
        return cls(make_engine(url, pool_size=pool_size))

    @property
    def max_connections(self) -> int:
        """How many connections the pool hands out at once (its size plus its overflow)."""
        pool = self.engine.pool
        size = pool.size() if isinstance(pool, QueuePool) else 1
        return max(1, size + max(0, getattr(pool, "_max_overflow", 0)))

    @property
    def is_postgres(self) -> bool:
        """Whether row locks with SKIP LOCKED are available."""
        return self.engine.dialect.name == "postgresql"

    @contextmanager
    def unit_of_work(self) -> Iterator[Session]:
        """A session that commits when the block succeeds and rolls back when it raises."""
        with self.sessions() as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise


def upsert_insert(db: Session) -> Any:
    """The dialect's INSERT, which has `on_conflict_do_nothing/_update` on PostgreSQL and SQLite alike."""
    return pg_insert if db.get_bind().dialect.name == "postgresql" else sqlite_insert
