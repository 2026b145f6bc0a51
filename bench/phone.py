"""Phone events (issue 16): call events accepted end to end, and the incoming-call panel's delay.

    python -m bench.phone --url postgresql://postgres@127.0.0.1:5432/attent_bench_phone

One organisation with 5,000 customers who have phone numbers and a phone line. Each round posts
`--calls` new calls (ringing, answered, ended: three events each; one in ten drops, which makes a
call-back promise; one in twenty is a new number, which adds a customer and opens a case) in signed
batches of 300 events from 4 client threads to a real `attent serve --no-worker`. Events per second:
accepted events ÷ (first request sent to last answer received); every event is done when answered
(contact, case, promise, timeline), nothing is left for a worker. The same batches are then posted
again: every event must come back a duplicate.

Live posts: the same, one call's three events per post (done at once, as a telephone system posts
them while calls happen), from 4 clients. Batches: `--batch` events per post are kept in one
statement and done by the worker: intake (events/s accepted), then real `attent worker` processes
(`--workers`) doing them (events/s, workers started before the clock starts).

Panel: an agent's page stream (`GET /me/calls/live`) is open; a `ringing` event for that agent is
posted, and the time is taken until the stream says `changed` and the panel (`GET /me/calls/panel`)
has been fetched, as the page does. Median and 95th percentile over `--rings` calls.
"""

import argparse
import hashlib
import hmac
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

from attent import wiring  # noqa: F401 (domain events need their reactions wired)
from attent.agents.models import Presence, Role
from attent.agents.schemas import AgentCreate
from attent.agents.service import create_agent, create_team, create_token, set_presence
from attent.core.db import Database, insert_many
from attent.core.ids import uuid7
from attent.core.migrate import upgrade
from attent.core.settings import get_settings
from attent.customers.models import Customer
from attent.organisations.service import create_organisation
from attent.phone.models import CallEvent
from attent.phone.schemas import PhoneLineIn
from attent.phone.service import put_line
from bench.loader import reset
from bench.machine import print_machine
from bench.server import Server
from bench.workers import Workers

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/attent_bench_phone"
CUSTOMERS = 5_000
BATCH = 1000
CLIENTS = 4
SLUG = "bench-phone"
AGENT = "agent@bench.example"


def setup(url: str) -> tuple[str, str]:
    """A fresh database with the organisation, its customers, an agent and the phone line; returns the
    line's secret and the agent's API token."""
    reset(url)
    upgrade(url)
    database = Database.from_url(url)
    now = datetime.now(UTC)
    with database.unit_of_work() as db:
        org = create_organisation(db=db, slug=SLUG, name="Bench", at=now)
        boss = AgentCreate(email="admin@bench.example", name="Admin", role=Role.ADMIN)
        admin = create_agent(db=db, actor=None, organisation_id=org.id, at=now, data=boss)
        team = create_team(db=db, actor=admin, name="Front", at=now)
        agent = create_agent(db=db, actor=admin, organisation_id=org.id, at=now,
                             data=AgentCreate(email=AGENT, name="Agent", team_ids=[team.id]))  # fmt: skip
        set_presence(db=db, actor=agent, agent_id=agent.id, presence=Presence.AVAILABLE, at=now)
        _, token = create_token(db=db, agent=agent, name="bench", at=now)
        insert_many(db, Customer, [
            {"organisation_id": org.id, "id": uuid7(), "name": f"Klant {i}", "email": f"k{i}@bench.example",
             "phone": f"+3120{i:07d}", "language": "nl", "facts": {}, "created_at": now, "updated_at": now}
            for i in range(CUSTOMERS)
        ])  # fmt: skip
        line = put_line(db=db, actor=admin, data=PhoneLineIn(queues={"support": team.id}), at=now,
                        key=get_settings().secret_key)  # fmt: skip
        assert line.secret is not None
        secret = line.secret
    database.engine.dispose()
    return secret, token


def _signed(secret: str, body: bytes) -> dict[str, str]:
    now = int(time.time())
    digest = hmac.new(secret.encode(), f"{now}.".encode() + body, hashlib.sha256).hexdigest()
    return {"X-Attent-Signature": f"t={now},v1={digest}", "Content-Type": "application/json"}


def _calls(rng: random.Random, calls: int, round_: int) -> list[dict[str, Any]]:
    now = datetime.now(UTC)
    events = []
    for c in range(calls):
        call = f"r{round_}-{c}"
        number = f"+3130{rng.randrange(10**7):07d}" if c % 20 == 0 else f"+3120{rng.randrange(CUSTOMERS):07d}"
        at = now + timedelta(milliseconds=c)
        cause = "network" if c % 10 == 0 else "normal"
        events += [
            {"type": "ringing", "call_id": call, "sequence": 0, "at": at.isoformat(), "from": number,
             "queue": "support"},
            {"type": "answered", "call_id": call, "sequence": 1,
             "at": (at + timedelta(seconds=5)).isoformat(), "agent": AGENT},
            {"type": "ended", "call_id": call, "sequence": 2,
             "at": (at + timedelta(seconds=90)).isoformat(), "cause": cause,
             "hangup_by": "system" if cause == "network" else "caller"},
        ]  # fmt: skip
    return events


def post_all(server: Server, secret: str, bodies: list[bytes]) -> tuple[float, dict[str, int]]:
    """Post the batches from CLIENTS threads; returns events/s and the summed answers."""
    totals = {"accepted": 0, "duplicates": 0, "held": 0}
    lock = threading.Lock()
    queue = list(reversed(bodies))
    failures: list[str] = []

    def client() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=120)
        while True:
            with lock:
                if not queue:
                    break
                body = queue.pop()
            connection.request("POST", f"/hooks/{SLUG}.phone", body=body, headers=_signed(secret, body))
            response = connection.getresponse()
            answer = json.loads(response.read())
            if response.status != 202:
                failures.append(f"{response.status}: {answer}")
                break
            with lock:
                for key in totals:
                    totals[key] += answer[key]
        connection.close()

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    if failures:
        raise RuntimeError(failures[0])
    return totals["accepted"] / elapsed, totals


def panel_delays(server: Server, secret: str, token: str, rings: int) -> list[float]:
    """Seconds from posting `ringing` to the panel fetched, as the agent's open page does it."""
    stream = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    stream.request("GET", "/me/calls/live", headers={"Authorization": f"Bearer {token}"})
    response = stream.getresponse()
    assert response.status == 200, response.status
    response.readline()  # retry:
    response.readline()
    poster = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    reader = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    delays = []
    for n in range(rings):
        call = f"ring-{uuid.uuid4().hex[:8]}"
        event = {"type": "ringing", "call_id": call, "sequence": 0, "at": datetime.now(UTC).isoformat(),
                 "from": f"+3120{n:07d}", "agent": AGENT}  # fmt: skip
        body = json.dumps(event).encode()
        started = time.perf_counter()
        poster.request("POST", f"/hooks/{SLUG}.phone", body=body, headers=_signed(secret, body))
        poster.getresponse().read()
        while not response.readline().startswith(b"event: changed"):
            pass
        reader.request("GET", "/me/calls/panel", headers={"Authorization": f"Bearer {token}"})
        panel = reader.getresponse().read()
        delays.append(time.perf_counter() - started)
        assert f"+3120{n:07d}".encode() in panel or b"Klant" in panel
        ended = {"type": "ended", "call_id": call, "sequence": 1, "at": datetime.now(UTC).isoformat(),
                 "hangup_by": "caller"}  # fmt: skip
        body = json.dumps(ended).encode()
        poster.request("POST", f"/hooks/{SLUG}.phone", body=body, headers=_signed(secret, body))
        poster.getresponse().read()
        while not response.readline().startswith(b"event: changed"):
            pass
    stream.close()
    return delays


def queued(url: str) -> int:
    """Events waiting for the worker."""
    database = Database.from_url(url)
    with database.sessions() as db:
        n = (
            db.scalar(select(func.count()).select_from(CallEvent).where(CallEvent.processed_at.is_(None)))
            or 0
        )
    database.engine.dispose()
    return n


def worker_rate(url: str, workers: int, events: int) -> float:
    """Start `workers` real workers and time how long they take to do every queued event."""
    assert queued(url) == events
    with Workers(url, workers, env={"ATTENT_PROMISE_BATCH": "500", "ATTENT_WORKER_POLL_SECONDS": "0.05"}):
        started = time.perf_counter()
        while queued(url):
            time.sleep(0.05)
        elapsed = time.perf_counter() - started
    return events / elapsed


def main() -> None:
    """Run the rounds and print the figures."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--url", default=DEFAULT_URL)
    parser.add_argument("--calls", type=int, default=2000, help="calls per round (three events each)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--rings", type=int, default=50)
    parser.add_argument("--batch", type=int, default=BATCH)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    print_machine()
    secret, token = setup(args.url)
    live, intake, work = [], [], []
    with Server(args.url) as server:
        print(server.describe())
        for round_ in range(args.rounds):
            events = _calls(random.Random(round_), args.calls, round_)
            per_call = [json.dumps(events[i : i + 3]).encode() for i in range(0, len(events), 3)]
            rate, totals = post_all(server, secret, per_call)
            assert totals["accepted"] == len(events), totals
            assert totals["duplicates"] == 0, totals
            live.append(rate)
            batch_events = _calls(random.Random(1000 + round_), args.calls, 1000 + round_)
            bodies = [json.dumps(batch_events[i : i + args.batch]).encode()
                      for i in range(0, len(batch_events), args.batch)]  # fmt: skip
            rate, totals = post_all(server, secret, bodies)
            intake.append(rate)
            work.append(worker_rate(args.url, args.workers, len(batch_events)))
            again, repeats = post_all(server, secret, bodies)
            assert repeats["duplicates"] == len(batch_events), repeats
            print(f"round {round_ + 1}: live {live[-1]:,.0f} events/s; batches intake {intake[-1]:,.0f} "
                  f"events/s, {args.workers} workers {work[-1]:,.0f} events/s; repeated batches "
                  f"{again:,.0f} events/s, all duplicates")  # fmt: skip
        delays = panel_delays(server, secret, token, args.rings)
    median = statistics.median
    print(f"live posts (one call's events per post), done at once: median {median(live):,.0f} events/s")
    print(f"batches of {args.batch:,}: accepted {median(intake):,.0f} events/s; "
          f"done by {args.workers} workers {median(work):,.0f} events/s")  # fmt: skip
    q = statistics.quantiles(delays, n=20)
    print(f"incoming-call panel after ringing: median {median(delays) * 1000:.0f} ms, "
          f"p95 {q[-1] * 1000:.0f} ms over {len(delays)} rings")  # fmt: skip


if __name__ == "__main__":
    main()
