"""What scoring adds to ending a contact, and how fast the worker scores ended contacts.

    .venv/bin/python -m bench.coach_ending --url postgresql://postgres@127.0.0.1:5432/attent_bench_coach

Part 1, the request: `PATCH /contacts/{id}` (end a 40-line contact) and `POST /cases/{id}/contacts`
(log an ended 40-line contact), through the real app in this process (TestClient, bearer token), each
request timed. Variants run interleaved, request by request, so machine noise hits them alike:
"queues" (what Attent does), "hook off" (the same request with the coach's two calls replaced by
no-ops: the baseline), and the same request for a contact without messages. The coach's own calls are
also timed alone (`coach.service.contact_ended` in a transaction).

Part 2, the worker: N ended 40-line contacts are written straight into the tables and queued; the
scoring step (`coach.jobs.score_ended_contacts`) runs batch after batch until the queue is empty;
contacts per second, next to the engine alone on the same transcripts (what dominates).

Drops and recreates the database's `public` schema; it refuses a name without `bench` in it.
"""

import argparse
import statistics
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import delete

import attent.coach.service as coach_service
from attent.agents.models import Role
from attent.agents.schemas import AgentCreate
from attent.agents.service import create_agent, create_token
from attent.app import create_app
from attent.cases.schemas import CaseCreate
from attent.cases.service import create_case
from attent.coach.engine import score
from attent.coach.engine.rules import load_rules
from attent.coach.jobs import score_ended_contacts
from attent.coach.models import ScoringDue
from attent.contacts.models import Channel, Contact, Direction, Message, Outcome, Speaker
from attent.contacts.schemas import ContactCreate
from attent.contacts.service import log_contact
from attent.core.clock import SystemClock
from attent.core.db import Database, insert_many, make_engine
from attent.core.ids import uuid7
from attent.core.migrate import upgrade
from attent.core.settings import Settings
from attent.customers.schemas import CustomerCreate
from attent.customers.service import create_customer
from attent.organisations.service import create_organisation
from bench.coach import contacts as transcripts
from bench.machine import print_machine
from bench.stats import Summary

LINES = 40


def _reset(url: str) -> None:
    from sqlalchemy import text

    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    upgrade(url)


def _tenant(database: Database, now: datetime) -> tuple[Any, Any, Any, str]:
    with database.unit_of_work() as db:
        org = create_organisation(db=db, slug=f"bench-{uuid.uuid4().hex[:6]}", name="Bench", at=now)
        admin = create_agent(
            db=db,
            actor=None,
            organisation_id=org.id,
            at=now,
            data=AgentCreate(email=f"a@{org.slug}.example", name="Bench Admin", role=Role.ADMIN),
        )
        customer = create_customer(db=db, actor=admin, at=now, data=CustomerCreate(name="Klant"))
        case = create_case(db=db, actor=admin, at=now, data=CaseCreate(customer_id=customer.id, subject="x"))
        token = create_token(db=db, agent=admin, name="bench", at=now)[1]
    return org, admin, case, token


def _messages(now: datetime, seed: int) -> list[dict[str, Any]]:
    [one] = transcripts(1, LINES, seed)
    return [
        {"speaker": line.speaker, "text": line.text, "at": (now + timedelta(seconds=line.t or 0)).isoformat()}
        for line in one.lines
    ]


def _hook(on: bool) -> None:
    """Switch the coach's calls from contacts/service.py on (the real ones) or off (no-ops)."""
    for name in ("contact_ended", "messages_added"):
        setattr(coach_service, name, REAL[name] if on else (lambda **_: None))


REAL = {name: getattr(coach_service, name) for name in ("contact_ended", "messages_added")}


def requests(database: Database, settings: Settings, rounds: int, per_round: int) -> None:
    """Part 1: per-request latency of ending and logging contacts, with and without the coach's enqueue."""
    now = datetime.now(UTC)
    org, admin, case, token = _tenant(database, now)
    app = create_app(settings, database=database, clock=SystemClock(), worker=False)
    headers = {"Authorization": f"Bearer {token}"}
    with TestClient(app) as client:

        def open_contact(with_messages: bool, seed: int) -> str:
            with database.unit_of_work() as db:
                data = ContactCreate(
                    channel=Channel.PHONE,
                    messages=[] if not with_messages else _messages(now, seed),  # type: ignore[arg-type]
                )
                return str(log_contact(db=db, actor=admin, case_id=case.id, data=data, at=now).id)

        def patch(contact_id: str) -> float:
            began = time.perf_counter()
            response = client.patch(
                f"/api/v1/contacts/{contact_id}", json={"outcome": "resolved"}, headers=headers
            )
            elapsed = (time.perf_counter() - began) * 1000
            assert response.status_code == 200, response.text
            return elapsed

        def post(messages: list[dict[str, Any]]) -> float:
            body = {
                "channel": "phone",
                "ended_at": now.isoformat(),
                "outcome": "resolved",
                "messages": messages,
            }
            began = time.perf_counter()
            response = client.post(f"/api/v1/cases/{case.id}/contacts", json=body, headers=headers)
            elapsed = (time.perf_counter() - began) * 1000
            assert response.status_code == 201, response.text
            return elapsed

        variants: dict[str, Callable[[int], float]] = {}
        for hook_on, label in ((True, "queues"), (False, "hook off")):

            def patch_variant(seed: int, hook_on: bool = hook_on) -> float:
                contact_id = open_contact(True, seed)
                _hook(hook_on)
                try:
                    return patch(contact_id)
                finally:
                    _hook(True)

            def post_variant(seed: int, hook_on: bool = hook_on) -> float:
                messages = _messages(now, seed)
                _hook(hook_on)
                try:
                    return post(messages)
                finally:
                    _hook(True)

            variants[f"PATCH end, 40 lines, {label}"] = patch_variant
            variants[f"POST ended, 40 lines, {label}"] = post_variant
        variants["PATCH end, no messages"] = lambda seed: patch(open_contact(False, seed))
        variants["POST ended, no messages"] = lambda seed: post([])

        for seed in range(5):  # warm up every path
            for run in variants.values():
                run(seed)
        summaries: dict[str, list[Summary]] = {name: [] for name in variants}
        for round_ in range(rounds):
            times: dict[str, list[float]] = {name: [] for name in variants}
            for i in range(per_round):
                for name, run in variants.items():
                    times[name].append(run(round_ * per_round + i))
            for name in variants:
                summaries[name].append(Summary.of(times[name]))
        print(f"== requests: median over {rounds} rounds of {per_round} each ==")
        medians = {name: Summary.median_of(s) for name, s in summaries.items()}
        for name, summary in medians.items():
            print(f"{name:34} {summary.row()}")
        for verb in ("PATCH end", "POST ended"):
            on, off = medians[f"{verb}, 40 lines, queues"], medians[f"{verb}, 40 lines, hook off"]
            print(
                f"{verb}: enqueueing adds {on.p50 - off.p50:+.2f} ms at p50 "
                f"(ratio {on.p50 / off.p50:.3f}), {on.p95 - off.p95:+.2f} ms at p95"
            )
        with database.unit_of_work() as db:
            contact = db.get(Contact, (org.id, uuid.UUID(open_contact(True, 1))))
            assert contact is not None
            contact.ended_at = now
            costs = []
            for _ in range(500):
                began = time.perf_counter()
                REAL["contact_ended"](db=db, contact=contact, at=now)
                costs.append((time.perf_counter() - began) * 1000)
            db.rollback()
        costs.sort()
        print(
            "coach.service.contact_ended alone (one INSERT ... WHERE EXISTS): "
            f"median {statistics.median(costs):.3f} ms, "
            f"p95 {costs[int(len(costs) * 0.95)]:.3f} ms"
        )
        print()


def worker(database: Database, n: int) -> None:
    """Part 2: queue `n` ended 40-line contacts and time the scoring step until the queue is empty."""
    now = datetime.now(UTC)
    org, admin, case, _ = _tenant(database, now)
    work = transcripts(n, LINES, 7)
    contacts_rows, message_rows, queue_rows = [], [], []
    for transcript in work:
        contact_id = uuid7()
        contacts_rows.append(
            {
                "organisation_id": org.id, "id": contact_id, "case_id": case.id,
                "customer_id": case.customer_id,
                "channel": Channel.PHONE, "direction": Direction.INBOUND, "agent_id": admin.id,
                "started_at": now, "ended_at": now + timedelta(minutes=10), "outcome": Outcome.RESOLVED,
                "created_at": now,
            }
        )  # fmt: skip
        for line in transcript.lines:
            message_rows.append(
                {
                    "organisation_id": org.id, "id": uuid7(), "contact_id": contact_id, "case_id": case.id,
                    "speaker": Speaker(line.speaker), "text": line.text,
                    "at": now + timedelta(seconds=line.t or 0),
                }
            )  # fmt: skip
        queue_rows.append({"organisation_id": org.id, "id": uuid7(), "contact_id": contact_id, "due_at": now})
    with database.unit_of_work() as db:
        insert_many(db, Contact, contacts_rows)
        insert_many(db, Message, message_rows)
        insert_many(db, ScoringDue, queue_rows)
    load_rules()  # compiled once per process, not per batch
    with database.unit_of_work() as db:  # part 1's contacts are not part of this figure
        db.execute(delete(ScoringDue).where(ScoringDue.organisation_id != org.id))
    began, batches, n_done = time.perf_counter(), 0, 0
    while done := score_ended_contacts(database=database, now=now + timedelta(seconds=1)):
        batches, n_done = batches + 1, n_done + done
    elapsed = time.perf_counter() - began
    assert n_done == n, (n_done, n)
    began_engine = time.perf_counter()
    for transcript in work:
        score(transcript)
    engine_s = time.perf_counter() - began_engine
    print(f"== worker: {n} ended contacts of {LINES} lines, {batches} batches ==")
    print(
        f"scoring step: {n / elapsed:,.0f} contacts/s ({elapsed * 1000 / n:.2f} ms per contact, one process)"
    )
    print(
        f"engine alone on the same transcripts: {n / engine_s:,.0f} contacts/s "
        f"({engine_s * 1000 / n:.2f} ms per contact): {engine_s / elapsed:.0%} of the step"
    )


def main() -> None:
    """Measure both parts and print the machine first."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", default="postgresql://postgres@127.0.0.1:5432/attent_bench_coach")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--requests", type=int, default=60, help="per variant per round")
    parser.add_argument("--contacts", type=int, default=2000)
    args = parser.parse_args()
    if "bench" not in args.url.rsplit("/", 1)[-1]:
        raise SystemExit("refusing: the database name must contain 'bench' (its schema is dropped)")
    if args.url.startswith("postgresql"):
        _ensure_database(args.url)
    print_machine(args.url)
    _reset(args.url)
    database = Database.from_url(args.url)
    settings = Settings(database_url=args.url, embedded_worker=False)
    requests(database, settings, args.rounds, args.requests)
    worker(database, args.contacts)
    database.engine.dispose()


def _ensure_database(url: str) -> None:
    from sqlalchemy import text

    base, _, name = url.rpartition("/")
    admin = make_engine(f"{base}/postgres").execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}) is None:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()


if __name__ == "__main__":
    main()
