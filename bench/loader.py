"""Load a benchmark database: organisations, people, customers and cases with realistic timelines.

    python -m bench.loader --url postgresql://postgres@127.0.0.1:5432/attent_bench --cases 100000

PostgreSQL is loaded with COPY (psycopg 3), SQLite with executemany. Later benchmarks call `load()` or,
on a database loaded earlier, `fixture()` for a fresh token and a sample of case ids.
"""

import argparse
import json
import math
import random
import sys
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from psycopg.copy import QueuedLibpqWriter
from sqlalchemy import Connection, Engine, func, insert, make_url, or_, select, text
from sqlalchemy.orm import Session

import attent.models
from attent.agents.models import Agent, ApiToken, TeamMembership, TokenKind
from attent.cases.models import Case, CaseStatus
from attent.contacts.waiting import refresh_waiting
from attent.core.db import make_engine, normalise_url
from attent.core.ids import uuid7
from attent.core.migrate import upgrade
from attent.core.security import new_token, token_hash
from attent.promises.next_due import refresh_next_due
from attent.timeline.models import TimelineEvent
from bench.machine import print_machine
from bench.stories import Batch, OrgPlan, Person, Row, Story, customer_row, person_name
from bench.texts import TEAMS

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/attent_bench"
BENCH_AGENT = "bench.agent"  # local part of the e-mail of the agent whose token the benchmarks use
CHUNK = 2_000  # cases per bulk write: bounded memory whatever the size
TABLES = attent.models.Base.metadata.tables
JSON_COLUMNS = {"organisations": {"settings"}, "customers": {"facts"}, "timeline_events": {"data"}}
COLUMNS = {name: [c.name for c in table.columns] for name, table in TABLES.items()}


@dataclass(frozen=True)
class Target:
    """A case to request, with the token of an agent who may see it."""

    case_id: uuid.UUID
    token: str


@dataclass(frozen=True)
class Fixture:
    """What a benchmark needs from a loaded database: visible (non-closed) cases and tokens for them."""

    targets: list[Target]
    cases: int
    events: int


class Sink:
    """Bulk writes inside one transaction: COPY on PostgreSQL, executemany elsewhere."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.copy = conn.dialect.name == "postgresql"
        self.rows: dict[str, int] = {}

    def write(self, table: str, rows: Sequence[Row]) -> None:
        """Insert rows given in the table's column order; columns added to a table after the loader was
        written (nullable, at the end) are written as NULL, so a new column does not break the benchmarks."""
        if not rows:
            return
        # Rows give the leading columns; columns added to a table since (an agent's TOTP secret, a case's
        # queue keys) are left to their NULL or the loader's final pass.
        columns = COLUMNS[table][: len(rows[0])]
        self.rows[table] = self.rows.get(table, 0) + len(rows)
        if not self.copy:
            self.conn.execute(insert(TABLES[table]), [dict(zip(columns, row, strict=True)) for row in rows])
            return
        as_json = [i for i, c in enumerate(columns) if c in JSON_COLUMNS.get(table, ())]
        cursor = self.conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        # The queued writer sends on a thread, so PostgreSQL ingests while this process formats rows.
        statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
        with cursor.copy(statement, writer=QueuedLibpqWriter(cursor)) as copy:
            for row in rows:
                if as_json:
                    row = tuple(json.dumps(v) if i in as_json else v for i, v in enumerate(row))
                copy.write_row(row)


def ensure_database(url: str) -> None:
    """Create the PostgreSQL database named in `url` when it does not exist yet."""
    parsed = make_url(normalise_url(url))
    if not parsed.drivername.startswith("postgresql") or not parsed.database:
        return
    engine = make_engine(parsed.set(database="postgres").render_as_string(hide_password=False))
    try:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            found = conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": parsed.database})
            if not found:
                conn.execute(text(f'CREATE DATABASE "{parsed.database}"'))
    finally:
        engine.dispose()


def reset(url: str) -> None:
    """Drop everything in the database (PostgreSQL: the public schema; SQLite: the file)."""
    parsed = make_url(normalise_url(url))
    if parsed.drivername.startswith("sqlite"):
        if parsed.database and parsed.database != ":memory:":
            for suffix in ("", "-wal", "-shm"):
                Path(parsed.database + suffix).unlink(missing_ok=True)
        return
    ensure_database(url)
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    finally:
        engine.dispose()


def write_people(
    sink: Sink, rng: random.Random, orgs: int, agents_per_org: int, teams_per_org: int, at: datetime
) -> list[OrgPlan]:
    """Organisations with teams and agents; agent 0 is the admin, the last one is the bench agent."""
    plans = []
    for o in range(orgs):
        org_id, slug = uuid7(), f"bench-{o:03d}"
        teams = [uuid7() for _ in range(teams_per_org)]
        # default settings; the first team is the default team (migration 0018)
        org: Row = (org_id, slug, f"Bench organisation {o}", "Europe/Amsterdam", "nl", {}, at, teams[0])
        sink.write("organisations", [org])
        sink.write(
            "teams",
            [(org_id, t, name, at) for t, name in zip(teams, _team_names(teams_per_org), strict=True)],
        )
        agents, agent_rows, memberships = [], [], []
        members: dict[uuid.UUID, list[Person]] = {t: [] for t in teams}
        for a in range(agents_per_org):
            bench = a == agents_per_org - 1
            person = Person(uuid7(), "Bench Agent" if bench else person_name(rng))
            role = "admin" if a == 0 else "lead" if a <= teams_per_org else "agent"
            local = BENCH_AGENT if bench else f"agent{a}"
            language = "nl" if rng.random() < 0.7 else "en"
            agent_rows.append(
                (
                    org_id,
                    person.id,
                    f"{local}@{slug}.example",
                    person.name,
                    role,
                    language,
                    None,
                    "available",
                    at,
                    None,
                    True,
                    at,
                )
            )
            mine = teams[:2] if bench else rng.sample(teams, k=1 if rng.random() < 0.7 else 2)
            for team in mine:
                members[team].append(person)
                memberships.append((org_id, team, person.id))
            agents.append(person)
        sink.write("agents", agent_rows)
        sink.write("team_memberships", memberships)
        plans.append(OrgPlan(org_id, slug, agents, teams, members))
    return plans


def _team_names(n: int) -> Iterator[str]:
    for i in range(n):
        yield TEAMS[i % len(TEAMS)] + (f" {i // len(TEAMS) + 1}" if i >= len(TEAMS) else "")


def _events_per_case(rng: random.Random, cases: int, mean: int) -> Iterator[int]:
    """Counts between mean/2 and 3*mean/2 (at least 3) that add up to exactly cases * mean."""
    spread = max(0, min(mean // 2, mean - 3))
    for _ in range(cases // 2):
        d = rng.randint(0, spread)
        yield from (mean + d, mean - d)
    if cases % 2:
        yield mean


def load(
    url: str,
    cases: int = 100_000,
    events_per_case: int = 10,
    orgs: int = 4,
    seed: int = 1,
    *,
    agents_per_org: int = 40,
    teams_per_org: int = 5,
    cases_per_customer: float = 2.0,
    days: int = 365,
) -> Fixture:
    """Migrate `url` and load `cases` cases with `events_per_case` timeline events on average each.

    Organisation sizes follow 1, 1/2, 1/3, ... (a few big tenants, a tail of small ones). Cases are
    written oldest first so their UUIDv7 ids sort like their creation times. Returns a fixture.
    """
    if events_per_case < 3:
        raise ValueError("events_per_case must be at least 3 (opened, first contact, status change)")
    ensure_database(url)
    upgrade(url)
    rng = random.Random(seed)
    now = datetime.now(UTC).replace(microsecond=0)
    start = now - timedelta(days=days)
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            sink = Sink(conn)
            restore = defer_checks(conn)
            plans = write_people(sink, rng, orgs, agents_per_org, teams_per_org, start - timedelta(days=30))
            weights = [1 / (i + 1) for i in range(orgs)]
            customers = max(orgs, math.ceil(cases / cases_per_customer))
            write_customers(sink, rng, plans, weights, customers, start)
            counts = _events_per_case(rng, cases, events_per_case)
            step = (now - start) / max(cases, 1)
            batch = Batch()
            for i, events in enumerate(counts):
                org = rng.choices(plans, weights=weights)[0]
                Story(rng, org, batch, now).write(start + step * i, events)
                if len(batch.cases) >= CHUNK:
                    _flush(sink, batch)
                    batch = Batch()
            _flush(sink, batch)
            restore_started = time.perf_counter()
            for statement in restore:
                conn.execute(text(statement))
            if restore:
                print(f"foreign keys and indexes rebuilt in {time.perf_counter() - restore_started:.1f} s")
            keys_started = time.perf_counter()
            write_queue_keys(conn, [plan.id for plan in plans])
            print(f"queue keys written in {time.perf_counter() - keys_started:.1f} s")
            print("rows:", ", ".join(f"{t} {n:,}" for t, n in sink.rows.items()), flush=True)
        analyze(engine)
        return fixture(engine)
    finally:
        engine.dispose()


def write_queue_keys(conn: Connection, organisation_ids: Sequence[uuid.UUID]) -> None:
    """The cases' `waiting_since` and `next_promise_due`, which the services keep as they write and
    COPY does not: from the same definitions, one UPDATE per organisation and column."""
    db = Session(bind=conn)
    for organisation_id in organisation_ids:
        refresh_waiting(db, organisation_id=organisation_id, case_ids=None)
        refresh_next_due(db, organisation_id=organisation_id, case_ids=None)


def write_customers(
    sink: Sink, rng: random.Random, plans: list[OrgPlan], weights: list[float], total: int, at: datetime
) -> None:
    """About `total` customers with shop references, shared out by weight; each plan keeps its own ids."""
    share = sum(weights)
    index = 0
    for org, weight in zip(plans, weights, strict=True):
        rows, refs = [], []
        for _ in range(max(1, round(total * weight / share))):
            index += 1
            customer, ref = customer_row(rng, org, index, at - timedelta(days=rng.uniform(0, 365)))
            rows.append(customer)
            refs.append(ref)
            if len(rows) >= CHUNK * 5:
                sink.write("customers", rows)
                sink.write("customer_refs", refs)
                rows, refs = [], []
        sink.write("customers", rows)
        sink.write("customer_refs", refs)


def defer_checks(conn: Connection) -> list[str]:
    """On PostgreSQL, drop foreign keys and secondary indexes; return the statements that restore them.

    This is PostgreSQL's own advice for bulk loads, and here it is essential: with the foreign keys in
    place, COPY checks each row with a plan cached while the referenced tables were still empty (a
    sequential scan per row), so loading time grows with the square of the size. Putting them back
    at the end validates every reference in one pass, inside the same transaction.
    """
    if conn.dialect.name != "postgresql":
        return []
    keys = conn.execute(
        text(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint"
            " WHERE contype = 'f' AND connamespace = 'public'::regnamespace"
        )
    ).all()
    indexes = conn.execute(
        text(
            "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i"
            " JOIN pg_class c ON c.oid = i.indrelid"
            " WHERE c.relnamespace = 'public'::regnamespace AND NOT i.indisprimary AND NOT i.indisunique"
        )
    ).all()
    for table, name, _definition in keys:
        conn.execute(text(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"'))
    for name, _definition in indexes:
        conn.execute(text(f"DROP INDEX {name}"))
    conn.execute(text("SET LOCAL maintenance_work_mem = '512MB'"))
    conn.execute(text("SET LOCAL session_replication_role = replica"))  # no live-update trigger on a load
    restore = [definition for _name, definition in indexes]
    return restore + [
        f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}' for table, name, definition in keys
    ]


def _flush(sink: Sink, batch: Batch) -> None:
    for table in ("cases", "contacts", "messages", "notes", "timeline_events"):  # foreign-key order
        sink.write(table, getattr(batch, table))


def analyze(engine: Engine) -> None:
    """Fresh planner statistics after a bulk load, and on PostgreSQL the visibility map that
    index-only scans read (autovacuum, which keeps both in production, is off on these machines)."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE" if engine.dialect.name == "postgresql" else "ANALYZE"))


def fixture(source: str | Engine, *, sample: int = 10_000, seed: int = 7) -> Fixture:
    """A fresh API token for each organisation's bench agent and a sample of cases that agent may see.

    Closed cases are left out so the sample also serves benchmarks that write (a closed case refuses
    new contacts). The sample is drawn with replacement, reproducibly for a given seed. The schema is
    first brought up to the code's head, so a database loaded before a new migration still works.
    """
    engine = make_engine(source) if isinstance(source, str) else source
    try:
        upgrade(engine.url.render_as_string(hide_password=False))
        with engine.begin() as conn:
            agents = conn.execute(
                select(Agent.organisation_id, Agent.id)
                .where(Agent.email.like(f"{BENCH_AGENT}@%"))
                .order_by(Agent.organisation_id)
            ).all()
            if not agents:
                raise SystemExit("No bench agent found: load the database first (python -m bench.loader).")
            visible: list[tuple[uuid.UUID, str]] = []
            for org_id, agent_id in agents:
                secret = new_token()
                conn.execute(
                    insert(ApiToken).values(
                        organisation_id=org_id,
                        id=uuid7(),
                        agent_id=agent_id,
                        kind=TokenKind.API,
                        name="bench",
                        token_hash=token_hash(secret),
                        prefix=secret[:12],
                        created_at=datetime.now(UTC),
                    )
                )
                teams = select(TeamMembership.team_id).where(
                    TeamMembership.organisation_id == org_id, TeamMembership.agent_id == agent_id
                )
                ids = conn.scalars(
                    select(Case.id)
                    .where(Case.organisation_id == org_id, Case.status != CaseStatus.CLOSED)
                    .where(or_(Case.team_id.in_(teams), Case.team_id.is_(None), Case.owner_id == agent_id))
                    .order_by(Case.id)
                ).all()
                visible.extend((case_id, secret) for case_id in ids)
            cases = conn.scalar(select(func.count()).select_from(Case)) or 0
            events = conn.scalar(select(func.count()).select_from(TimelineEvent)) or 0
        rng = random.Random(seed)
        picked = rng.choices(visible, k=sample) if visible else []
        return Fixture(
            targets=[Target(case_id, token) for case_id, token in picked], cases=cases, events=events
        )
    finally:
        if isinstance(source, str):
            engine.dispose()


def main() -> None:
    """Reset, migrate and load the database named by --url, then print how long it took."""
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]  # progress shows when piped
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--url", default=DEFAULT_URL, help=f"database to (re)load (default {DEFAULT_URL})")
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--events-per-case", type=int, default=10, help="average; the total is exact")
    parser.add_argument("--orgs", type=int, default=4)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--force", action="store_true", help="allow a database whose name lacks 'bench'")
    args = parser.parse_args()
    name = make_url(normalise_url(args.url)).database or ""
    if "bench" not in Path(name).name and not args.force:
        raise SystemExit(f"Refusing to wipe {name!r}: its name lacks 'bench' (pass --force if you mean it).")
    print_machine()
    started = time.perf_counter()
    reset(args.url)
    result = load(args.url, args.cases, args.events_per_case, args.orgs, args.seed)
    elapsed = time.perf_counter() - started
    print(
        f"loaded {result.cases:,} cases and {result.events:,} timeline events in {elapsed:.1f} s "
        f"({result.events / elapsed:,.0f} events/s, analyze included)"
    )


if __name__ == "__main__":
    main()
