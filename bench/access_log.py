"""What the access log costs a request that opens a case: with it, and with recording switched off.

    python -m bench.access_log                                   # SQLite in a temporary folder
    python -m bench.access_log --url postgresql://postgres@127.0.0.1:5432/attent_bench_access

Each round requests the case through the API and the case page N times with the log on, then N times
with `AccessLog.add` replaced by a no-op, alternating so machine load hits both alike; it reports the
median milliseconds per request of each, and what writing one batch of 200 entries takes (done by a
background thread in `attent serve`, not by the request). The database is migrated afresh (on
PostgreSQL the schema is dropped first: give it a database of its own).
"""

import argparse
import statistics
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select, text

from attent.agents.models import Role
from attent.agents.schemas import AgentCreate
from attent.agents.service import create_agent, create_team, create_token
from attent.app import create_app
from attent.cases.schemas import CaseCreate
from attent.cases.service import create_case
from attent.core import access
from attent.core.clock import SystemClock
from attent.core.db import Database, make_engine
from attent.core.migrate import upgrade
from attent.core.settings import Settings
from attent.customers.schemas import CustomerCreate
from attent.customers.service import create_customer
from attent.organisations import Organisation
from attent.organisations.service import create_organisation


def _prepare(url: str) -> tuple[Database, str, str]:
    if url.startswith("postgresql"):
        engine = make_engine(url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    upgrade(url)
    database = Database.from_url(url)
    now = datetime.now(UTC)
    with database.unit_of_work() as db:
        org = create_organisation(db=db, slug="bench", name="Bench", at=now)
        admin = create_agent(
            db=db, actor=None, organisation_id=org.id, at=now,
            data=AgentCreate(email="admin@bench.example", name="Admin", role=Role.ADMIN),
        )  # fmt: skip
        team = create_team(db=db, actor=admin, name="Front", at=now)
        customer = create_customer(
            db=db, actor=admin, at=now, data=CustomerCreate(name="Klant", email="k@x.example")
        )
        case = create_case(
            db=db,
            actor=admin,
            at=now,
            data=CaseCreate(customer_id=customer.id, subject="Pakket", team_id=team.id),
        )
        _token, secret = create_token(db=db, agent=admin, name="bench", at=now)
        case_id = str(case.id)
    return database, case_id, secret


def _time(client: TestClient, paths: list[str], token: str, n: int) -> float:
    headers = {"Authorization": f"Bearer {token}"}
    started = time.perf_counter()
    for i in range(n):
        response = client.get(paths[i % len(paths)], headers=headers)
        assert response.status_code == 200, response.text
    return (time.perf_counter() - started) * 1000 / n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=None)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    url = args.url or f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.db'}"
    database, case_id, token = _prepare(url)
    app = create_app(Settings(database_url=url, embedded_worker=False, access_log=False), database=database,
                     clock=SystemClock(), worker=False)  # fmt: skip
    log: access.AccessLog = app.state.access
    recording = log.add
    paths = [f"/api/v1/cases/{case_id}", f"/cases/{case_id}"]
    on, off = [], []
    with TestClient(app) as client:
        _time(client, paths, token, 50)  # warm up
        for round_ in range(args.rounds):
            for with_log in (True, False) if round_ % 2 == 0 else (False, True):
                log.add = recording if with_log else (lambda seen: None)  # type: ignore[method-assign]
                (on if with_log else off).append(_time(client, paths, token, args.requests))
    log.add = recording  # type: ignore[method-assign]
    log.flush()
    seen = access.Seen(
        database_org(database), None, access.Action.VIEW, access.Subject.CASE, None, datetime.now(UTC)
    )
    for _ in range(access.BATCH):
        log._pending.append(seen)
    started = time.perf_counter()
    written = log.flush()
    batch_ms = (time.perf_counter() - started) * 1000
    print(f"database: {url.split(':')[0]}; {args.rounds} rounds x {args.requests} requests (API and page)")
    print(f"with the access log:    {statistics.median(on):.3f} ms/request (median)")
    print(f"without recording:      {statistics.median(off):.3f} ms/request (median)")
    print(f"difference:             {statistics.median(on) - statistics.median(off):+.3f} ms/request")
    print(f"one batch of {written} entries: {batch_ms:.1f} ms (background thread)")


def database_org(database: Database) -> uuid.UUID:
    with database.unit_of_work() as db:
        return db.scalars(select(Organisation.id)).one()


if __name__ == "__main__":
    main()
