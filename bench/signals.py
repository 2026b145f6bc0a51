"""Signals and rules (issue 6): API intake and worker evaluation with 200 active rules.

    python -m bench.signals --url postgresql://postgres@127.0.0.1:5432/attent_bench_signals

One organisation, 10,000 customers with shop references and 200 active rules over the seven built-in
signal types (conditions on attributes; about 1 in 100 signals makes a rule act: a proactive case).
Each round posts `--signals` new signals in batches of 1,000 from 4 client threads to a real
`attent serve --no-worker` (intake: accepted signals per second, first request sent to last answer
received), then starts real `attent worker` processes and times how long they take to evaluate them all
(evaluation: signals per second, workers started and ready before the clock starts). Figures are
medians over the rounds. The database is reset at the start.
"""

import argparse
import http.client
import json
import random
import statistics
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from attent.agents.models import Role
from attent.agents.schemas import AgentCreate
from attent.agents.service import create_agent, create_token
from attent.core.db import Database, insert_many
from attent.core.ids import uuid7
from attent.core.migrate import upgrade
from attent.customers.models import Customer, CustomerRef
from attent.organisations.service import create_organisation
from attent.signals.models import FiringState, RuleFiring, Signal
from attent.signals.rules import put_rulebook
from bench.loader import ensure_database, reset
from bench.machine import print_machine
from bench.server import Server
from bench.workers import Workers

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/attent_bench_signals"
CUSTOMERS = 10_000
BATCH = 1000
CLIENTS = 4


def _rule(i: int) -> dict[str, Any]:
    """The i-th of 200 rules over 7 types; each is selective (an id or code of its own), as real ones are."""
    kind = i % 7
    base = {"key": f"rule-{i}", "name": f"Rule {i}", "then": [{"do": "open_case", "subject": f"Rule {i}"}]}
    conditions: dict[int, tuple[str, list[dict[str, Any]]]] = {
        0: ("delivery.failed", [{"field": "signal.attempt", "op": "gte", "value": 2},
                                {"field": "signal.reason", "op": "eq", "value": f"reason-{i}"}]),
        1: ("delivery.late", [{"field": "signal.delay_hours", "op": "gt", "value": 24},
                              {"field": "signal.order_id", "op": "eq", "value": f"O-{i}"}]),
        2: ("booking.arriving", [{"field": "signal.arrives_at", "op": "local_time_after", "value": "21:00"},
                                 {"field": "signal.guests", "op": "gte", "value": 2},
                                 {"field": "signal.booking_id", "op": "in",
                                  "value": [f"B-{i}", f"B-{i + 1000}"]}]),
        3: ("order.shipped", [{"field": "signal.carrier", "op": "eq", "value": f"carrier-{i}"}]),
        4: ("order.delivered", [{"field": "signal.order_id", "op": "eq", "value": f"O-{i}"}]),
        5: ("booking.checked_out", [{"field": "customer.language", "op": "eq", "value": "en"},
                                    {"field": "signal.booking_id", "op": "eq", "value": f"B-{i}"}]),
        6: ("delivery.late", [{"field": "signal.order_id", "op": "eq", "value": f"O-{i}"}]),
    }  # fmt: skip
    signal, checks = conditions[kind]
    return {**base, "when": {"signal": signal}, "if": checks}


def _attributes(rng: random.Random, kind: str, at: datetime) -> dict[str, Any]:
    order = f"O-{rng.randrange(3000)}"
    if kind == "delivery.failed":
        return {"order_id": order, "attempt": rng.randint(1, 3), "reason": f"reason-{rng.randrange(1000)}"}
    if kind == "delivery.late":
        return {"order_id": order, "delay_hours": rng.uniform(0, 48)}
    if kind == "booking.arriving":
        arrives = at + timedelta(hours=rng.uniform(0, 48))
        return {
            "booking_id": f"B-{rng.randrange(2000)}",
            "arrives_at": arrives.isoformat(),
            "guests": rng.randint(1, 6),
        }
    if kind == "order.shipped":
        return {"order_id": order, "carrier": f"carrier-{rng.randrange(3000)}"}
    if kind == "booking.checked_out":
        return {"booking_id": f"B-{rng.randrange(3000)}"}
    return {"order_id": order}


TYPES = ["delivery.failed", "delivery.late", "booking.arriving", "order.shipped", "order.delivered",
         "booking.checked_out"]  # fmt: skip


def setup(url: str) -> tuple[str, uuid.UUID]:
    """A fresh database with one organisation, its customers and 200 rules; returns an admin token."""
    reset(url)
    upgrade(url)
    database = Database.from_url(url)
    now = datetime.now(UTC)
    with database.unit_of_work() as db:
        org = create_organisation(db=db, slug="bench-signals", name="Bench", at=now)
        data = AgentCreate(email="admin@bench.example", name="Admin", role=Role.ADMIN)
        admin = create_agent(db=db, actor=None, organisation_id=org.id, at=now, data=data)
        _, token = create_token(db=db, agent=admin, name="bench", at=now)
        customers, refs = [], []
        for i in range(CUSTOMERS):
            cid = uuid7()
            customers.append({"organisation_id": org.id, "id": cid, "name": f"Klant {i}",
                              "email": f"k{i}@bench.example",
                              "phone": None, "language": "en" if i % 3 == 0 else "nl", "facts": {},
                              "created_at": now, "updated_at": now})  # fmt: skip
            refs.append({"organisation_id": org.id, "customer_id": cid, "system": "shop", "value": f"C-{i}"})
        insert_many(db, Customer, customers)
        insert_many(db, CustomerRef, refs)
        put_rulebook(db=db, actor=admin, document={"rules": [_rule(i) for i in range(200)]}, at=now)
        org_id = org.id
    database.engine.dispose()
    return token, org_id


def intake(server: Server, token: str, signals: int, round_: int) -> float:
    """Post `signals` new signals in batches from CLIENTS threads; returns accepted signals per second."""
    rng = random.Random(round_)
    now = datetime.now(UTC)
    bodies = []
    for b in range(signals // BATCH):
        batch = []
        for j in range(BATCH):
            kind = rng.choice(TYPES)
            ref = {"system": "shop", "value": f"C-{rng.randrange(CUSTOMERS)}"}
            batch.append({"type": kind, "customer_ref": ref,
                          "occurred_at": now.isoformat(), "attributes": _attributes(rng, kind, now),
                          "external_id": f"r{round_}-{b}-{j}"})  # fmt: skip
        bodies.append(json.dumps({"signals": batch}).encode())
    accepted = [0] * CLIENTS
    lock = threading.Lock()
    queue = list(bodies)

    def client(n: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        while True:
            with lock:
                if not queue:
                    break
                body = queue.pop()
            connection.request("POST", "/api/v1/signals", body=body, headers=headers)
            response = connection.getresponse()
            answer = json.loads(response.read())
            if response.status != 202:
                raise RuntimeError(f"{response.status}: {answer}")
            accepted[n] += answer["accepted"]
        connection.close()

    threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    assert sum(accepted) == signals, accepted
    return signals / elapsed


def evaluation(url: str, workers: int, signals: int) -> tuple[float, int]:
    """Start `workers` real workers and time how long they take to evaluate every pending signal."""
    database = Database.from_url(url)

    def pending() -> int:
        with database.sessions() as db:
            return (
                db.scalar(select(func.count()).select_from(Signal).where(Signal.evaluate_at.is_not(None)))
                or 0
            )

    assert pending() == signals
    env = {"ATTENT_PROMISE_BATCH": str(BATCH), "ATTENT_WORKER_POLL_SECONDS": "0.05"}
    with Workers(url, workers, env=env):
        started = time.perf_counter()
        while pending():
            time.sleep(0.02)
        elapsed = time.perf_counter() - started
    with database.sessions() as db:
        fired = db.scalar(
            select(func.count()).select_from(RuleFiring).where(RuleFiring.state == FiringState.FIRED)
        )
    database.engine.dispose()
    return signals / elapsed, fired or 0


def main() -> None:
    """Run the rounds and print the figures."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--url", default=DEFAULT_URL)
    parser.add_argument("--signals", type=int, default=50_000, help="signals per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    ensure_database(args.url)
    print_machine(args.url)
    token, _ = setup(args.url)
    print(f"setup: 1 organisation, {CUSTOMERS:,} customers, 200 active rules over 7 signal types\n")
    intakes: list[float] = []
    rates: dict[int, list[float]] = {w: [] for w in args.workers}
    round_ = 0
    for _ in range(args.rounds):
        for count in args.workers:
            round_ += 1
            with Server(args.url) as server:
                intakes.append(intake(server, token, args.signals, round_))
            rate, fired = evaluation(args.url, count, args.signals)
            rates[count].append(rate)
            print(f"round {round_}: intake {intakes[-1]:,.0f} signals/s; {count} worker(s) evaluated "
                  f"{args.signals:,} signals at {rate:,.0f}/s ({fired:,} firings so far)",
                  flush=True)  # fmt: skip
    print("\n== figures (medians) ==")
    print(f"API intake, batches of {BATCH} from {CLIENTS} clients, 1 web process: "
          f"{statistics.median(intakes):,.0f} signals/s accepted ({len(intakes)} rounds)")  # fmt: skip
    for count, values in rates.items():
        print(f"worker evaluation, 200 rules, {count} worker(s): {statistics.median(values):,.0f} signals/s "
              f"({len(values)} rounds: {', '.join(f'{v:,.0f}' for v in values)})")  # fmt: skip


if __name__ == "__main__":
    main()
