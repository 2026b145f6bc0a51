"""Fixtures: both databases through one fixture, a rolled-back transaction per test, a frozen clock."""

import os
import re
import socket
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope
from aiosmtpd.smtp import Session as SmtpSession
from fastapi.testclient import TestClient
from sqlalchemy import Connection, Engine, event, make_url, text
from sqlalchemy.orm import Session

from attent.agents.models import Agent, Role
from attent.agents.schemas import AgentCreate
from attent.agents.service import create_agent, create_team, create_token
from attent.app import create_app
from attent.cases.models import Case
from attent.cases.schemas import CaseCreate
from attent.cases.service import create_case
from attent.core import citus
from attent.core.clock import FrozenClock
from attent.core.db import Base, Database, make_engine
from attent.core.migrate import upgrade
from attent.core.settings import Settings
from attent.customers.models import Customer
from attent.customers.schemas import CustomerCreate
from attent.customers.service import create_customer
from attent.organisations.service import create_organisation

# `make test-citus` runs the PostgreSQL half of the suite on a Citus cluster's coordinator instead.
CITUS_URL = os.environ.get("ATTENT_TEST_CITUS_URL")
PG_URL = CITUS_URL or os.environ.get("ATTENT_TEST_DATABASE_URL")
BACKENDS = ["postgresql"] if CITUS_URL else ["sqlite"] + (["postgresql"] if PG_URL else [])
START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def reset_postgres(url: str) -> None:
    """No tables of ours left, so migrations run from the first one.

    On Citus only the tables go (the public schema holds Citus' own views and functions); elsewhere the
    whole schema is made again."""
    engine = make_engine(url)
    with engine.begin() as conn:
        if citus.is_citus(engine):
            tables = conn.scalars(text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")).all()
            for table in tables:
                conn.execute(text(f'DROP TABLE IF EXISTS "{table}" CASCADE'))
            conn.execute(text("DROP FUNCTION IF EXISTS attent_notify_case_events() CASCADE"))
            configs = conn.scalars(
                text("SELECT cfgname FROM pg_ts_config WHERE cfgnamespace = 'public'::regnamespace")
            ).all()
            for config in configs:  # the search's text configurations (migration 0030)
                conn.execute(text(f'DROP TEXT SEARCH CONFIGURATION IF EXISTS "{config}" CASCADE'))
        else:
            conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def migrate_for_tests(url: str) -> None:
    """Migrate, and on Citus distribute as `attent citus distribute` does."""
    upgrade(url)
    engine = make_engine(url)
    try:
        if citus.is_citus(engine):
            citus.distribute(engine, Base.metadata)
    finally:
        engine.dispose()


def citus_database(admin_url: str, name: str) -> str:
    """A new database on the Citus cluster of `admin_url`, with the extension and the same workers.

    Citus keeps its nodes per database, so the database is made on every node (as the same user) and
    the workers are added to it again."""
    base, user = admin_url.rpartition("/")[0], make_url(admin_url).username or "postgres"
    admin = make_engine(admin_url).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        workers = conn.execute(text("SELECT nodename, nodeport FROM pg_dist_node WHERE groupid > 0")).all()
        coordinator = conn.execute(
            text("SELECT nodename, nodeport FROM pg_dist_node WHERE groupid = 0")
        ).one()
    admin.dispose()
    for host, port in [(coordinator[0], coordinator[1]), *((w[0], w[1]) for w in workers)]:
        node = make_engine(f"postgresql://{user}@{host}:{port}/postgres").execution_options(
            isolation_level="AUTOCOMMIT"
        )
        with node.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        node.dispose()
        made = make_engine(f"postgresql://{user}@{host}:{port}/{name}").execution_options(
            isolation_level="AUTOCOMMIT"
        )
        with made.connect() as conn:
            conn.execute(text("CREATE EXTENSION IF NOT EXISTS citus"))
        made.dispose()
    url = f"{base}/{name}"
    engine = make_engine(url).execution_options(isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(
            text("SELECT citus_set_coordinator_host(:host, :port)"),
            {"host": coordinator[0], "port": coordinator[1]},
        )
        for node in workers:
            conn.execute(text("SELECT citus_add_node(:host, :port)"), {"host": node[0], "port": node[1]})
    engine.dispose()
    return url


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A freshly migrated database of each kind under test."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'attent.db'}"
    else:
        assert PG_URL is not None
        url = PG_URL
        reset_postgres(url)
    migrate_for_tests(url)
    return url


@pytest.fixture(scope="session")
def engine_db(database_url: str) -> Iterator[Database]:
    """One engine per database kind for the whole run."""
    database = Database.from_url(database_url)
    yield database
    database.engine.dispose()


@pytest.fixture
def connection(engine_db: Database) -> Iterator[Connection]:
    """The test's outer transaction; everything inside is rolled back at the end."""
    with engine_db.engine.connect() as conn:
        trans = conn.begin()
        yield conn
        trans.rollback()


@pytest.fixture
def database(connection: Connection) -> Database:
    """A Database whose sessions commit into savepoints of the test transaction."""
    return Database(connection.engine, bind=connection)


@pytest.fixture
def db(database: Database) -> Iterator[Session]:
    """A session for calling services directly."""
    with database.sessions() as session:
        yield session


@pytest.fixture
def clock() -> FrozenClock:
    """Time stands still until the test moves it."""
    return FrozenClock(START)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings for the app under test (the database comes from the fixture, not from here)."""
    return Settings(
        database_url=f"sqlite:///{tmp_path / 'unused.db'}",
        embedded_worker=False,
        max_body_bytes=64 * 1024,
        files_dir=tmp_path / "files",  # attachments, never in the checkout's ./var/files
    )


@pytest.fixture
def app_client(settings: Settings, database: Database, clock: FrozenClock) -> Iterator[TestClient]:
    """The real app, on the test transaction and clock; raises nothing, answers like production."""
    app = create_app(settings, database=database, clock=clock, worker=False)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


@pytest.fixture
def committed_url(database_url: str, tmp_path: Path) -> str:
    """A database of the same kind whose rows really commit, for processes to share."""
    if database_url.startswith("sqlite"):
        url = f"sqlite:///{tmp_path / 'workers.db'}"
    elif CITUS_URL:
        url = citus_database(database_url, f"{database_url.rpartition('/')[2]}_workers")
    else:
        base, _, name = database_url.rpartition("/")
        url, admin = (
            f"{base}/{name}_workers",
            make_engine(database_url).execution_options(isolation_level="AUTOCOMMIT"),
        )
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}_workers" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}_workers"'))
        admin.dispose()
    migrate_for_tests(url)
    return url


@dataclass
class Tenant:
    """One organisation with an admin, a lead, an agent in a team, a customer and a case."""

    organisation_id: uuid.UUID
    admin: Agent
    lead: Agent
    agent: Agent
    outsider: Agent
    team_id: uuid.UUID
    other_team_id: uuid.UUID
    customer: Customer
    case: Case
    tokens: dict[str, str]


def make_tenant(db: Session, clock: FrozenClock, slug: str) -> Tenant:
    """Build a small organisation through the services, as a real one would be."""
    now = clock.now()
    org = create_organisation(db=db, slug=slug, name=slug.title(), at=now)
    admin = create_agent(
        db=db,
        actor=None,
        organisation_id=org.id,
        at=now,
        data=AgentCreate(email=f"admin@{slug}.example", name=f"Admin {slug}", role=Role.ADMIN),
    )
    team = create_team(db=db, actor=admin, name="Front", at=now)
    other = create_team(db=db, actor=admin, name="Back office", at=now)
    lead = create_agent(
        db=db,
        actor=admin,
        organisation_id=org.id,
        at=now,
        data=AgentCreate(
            email=f"lead@{slug}.example", name=f"Lead {slug}", role=Role.LEAD, team_ids=[team.id]
        ),
    )
    agent = create_agent(
        db=db,
        actor=admin,
        organisation_id=org.id,
        at=now,
        data=AgentCreate(
            email=f"agent@{slug}.example",
            name=f"Agent {slug}",
            password="correct horse battery",
            team_ids=[team.id],
        ),
    )
    outsider = create_agent(
        db=db,
        actor=admin,
        organisation_id=org.id,
        at=now,
        data=AgentCreate(email=f"back@{slug}.example", name=f"Back {slug}", team_ids=[other.id]),
    )
    customer = create_customer(
        db=db,
        actor=agent,
        at=now,
        data=CustomerCreate(
            name="Marieke Visser", email=f"marieke@{slug}.example", external_refs={"shop": "C-1042"}
        ),
    )
    case = create_case(
        db=db,
        actor=agent,
        at=now,
        data=CaseCreate(
            customer_id=customer.id,
            subject="Zending nooit aangekomen",
            type="delivery_missing",
            team_id=team.id,
        ),
    )
    tokens = {
        name: create_token(db=db, agent=who, name="test", at=now)[1]
        for name, who in [("admin", admin), ("lead", lead), ("agent", agent), ("outsider", outsider)]
    }
    db.commit()
    return Tenant(org.id, admin, lead, agent, outsider, team.id, other.id, customer, case, tokens)


@pytest.fixture
def tenant(db: Session, clock: FrozenClock) -> Tenant:
    """The organisation most tests work in."""
    return make_tenant(db, clock, "kopje-koffie")


@pytest.fixture
def other_tenant(db: Session, clock: FrozenClock) -> Tenant:
    """A second organisation that must never see the first one's data, nor be seen by it."""
    return make_tenant(db, clock, "villa-oleander")


class Api:
    """A thin client that authenticates as one agent and speaks JSON."""

    def __init__(self, client: TestClient, token: str) -> None:
        self.client, self.headers = client, {"Authorization": f"Bearer {token}"}

    def __getattr__(self, method: str):  # get, post, patch, put, delete
        call = getattr(self.client, method)
        return lambda url, **kw: call(url, headers={**self.headers, **kw.pop("headers", {})}, **kw)


def page_csrf(client: TestClient, path: str = "/signin") -> str:
    """The CSRF token a page gives this browser, as its forms carry it (its session's once signed in)."""
    page = client.get(path)
    found = re.search(r'<meta name="csrf-token" content="([^"]+)">', page.text)
    assert found, f"{path} answered {page.status_code} without a CSRF token"
    return found.group(1)


@pytest.fixture
def api(app_client: TestClient, tenant: Tenant) -> Api:
    """The API as the tenant's ordinary agent."""
    return Api(app_client, tenant.tokens["agent"])


@pytest.fixture
def admin_api(app_client: TestClient, tenant: Tenant) -> Api:
    """The API as the tenant's admin."""
    return Api(app_client, tenant.tokens["admin"])


class Queries(list[str]):
    """The SQL statements sent while a `queries_captured()` block ran, in order."""

    @property
    def selects(self) -> list[str]:
        return [statement for statement in self if statement.lstrip().upper().startswith("SELECT")]


@pytest.fixture
def queries_captured(database: Database) -> Callable[..., AbstractContextManager[Queries]]:
    """`with queries_captured() as queries:` counts what the app sends to the database in the block.

    The app, the worker and the test's own sessions share the one engine, so every statement is seen;
    pass another engine for an app built on its own (the worker-process tests)."""

    @contextmanager
    def capture(engine: Engine | None = None) -> Iterator[Queries]:
        seen, target = Queries(), engine or database.engine

        def note(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
            seen.append(statement)

        event.listen(target, "before_cursor_execute", note)
        try:
            yield seen
        finally:
            event.remove(target, "before_cursor_execute", note)

    return capture


@dataclass
class Mailbox:
    """A real SMTP server (aiosmtpd on a local port): what it received, and addresses it refuses."""

    host: str = "127.0.0.1"
    port: int = 0
    messages: list[EmailMessage] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)

    async def handle_RCPT(
        self, server: SMTP, session: SmtpSession, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if address in self.refuse:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: SmtpSession, envelope: Envelope) -> str:
        content = envelope.original_content or b""
        self.messages.append(message_from_bytes(content, policy=policy.default))
        return "250 Message accepted for delivery"

    def settings(self, **overrides: object) -> Settings:
        """Settings that send e-mail to this server."""
        return Settings(smtp_host=self.host, smtp_port=self.port, embedded_worker=False, **overrides)


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    """A running SMTP server for the test."""
    box = Mailbox(port=free_port())
    controller = Controller(box, hostname=box.host, port=box.port)
    controller.start()
    try:
        yield box
    finally:
        controller.stop()


# A real IMAP server (Debian's Dovecot) for the e-mail channel's tests: `dovecot`, `imap_account`.
from tests.mailserver import dovecot, imap_account  # noqa: E402, F401
