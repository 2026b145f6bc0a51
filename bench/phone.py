"""Phone events (issue 16): call events accepted end to end, and the incoming-call panel's delay.

    python -m bench.phone --url postgresql://postgres@127.0.0.1:5432/attent_bench_phone

One organisation with 5,000 customers who have phone numbers and a phone line, served by a real
`attent serve --no-worker` (`--processes` web processes). First the panel: an agent's page stream
(`GET /me/calls/live`) is open; a `ringing` event for that agent is posted, and the time is taken until
the stream says `changed` and the panel (`GET /me/calls/panel`) has been fetched, as the page does
(median and 95th percentile over `--rings` calls, on a quiet line).

Then each round posts `--calls` new calls (ringing, answered, ended: three events each; one in ten
drops, which makes a call-back promise; one in twenty is a new number, which adds a customer and
opens a case) from 4 client threads, signed:

- live posts: one call's three events per post, as a telephone system posts while calls happen;
- batches: as many other new calls in posts of `--batch` events (a replay after an outage).

For each: *accepted* = events ÷ (first request sent → last answer received), every event kept and
answered; *done* = events ÷ (first request sent → no kept event left undone: customer, case,
contact, timeline, promise), done by the server right after its answers (`attent.phone.intake`).
Then every body is posted again and must come back all `duplicate`, and the settled calls and phone
contacts are counted: one each per call, nothing lost or doubled.
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
from attent.contacts import Channel, Contact
from attent.core.db import Database, insert_many
from attent.core.ids import uuid7
from attent.core.migrate import upgrade
from attent.core.settings import get_settings
from attent.customers.models import Customer
from attent.organisations.service import create_organisation
from attent.phone.models import Call, CallEvent
from attent.phone.schemas import PhoneLineIn
from attent.phone.service import put_line
from bench.loader import reset
from bench.machine import print_machine
from bench.server import Server

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
    totals = {"accepted": 0, "duplicates": 0, "queued": 0}
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
    """Events kept but not yet done."""
    database = Database.from_url(url)
    with database.sessions() as db:
        n = db.scalar(select(func.count()).select_from(CallEvent).where(CallEvent.processed_at.is_(None)))
    database.engine.dispose()
    return n or 0


def until_done(url: str, started: float) -> float:
    """Seconds from `started` until no kept event is left undone (polled every 20 ms)."""
    while queued(url):
        time.sleep(0.02)
    return time.perf_counter() - started


def made(url: str) -> tuple[int, int, int]:
    """Calls settled, phone contacts and call-back promises in the database: nothing lost or doubled."""
    database = Database.from_url(url)
    with database.sessions() as db:
        settled = db.scalar(select(func.count()).select_from(Call).where(Call.settled_at.is_not(None)))
        contacts = db.scalar(
            select(func.count()).select_from(Contact).where(Contact.channel == Channel.PHONE)
        )
        promises = db.scalar(select(func.count()).select_from(Call).where(Call.promise_id.is_not(None)))
    database.engine.dispose()
    return settled or 0, contacts or 0, promises or 0


def run(url: str, server: Server, secret: str, bodies: list[bytes], events: int) -> tuple[float, float]:
    """Post the bodies; returns events/s accepted (answered) and events/s done (all kept events done)."""
    started = time.perf_counter()
    rate, totals = post_all(server, secret, bodies)
    assert totals["accepted"] == events, totals
    assert totals["duplicates"] == 0, totals
    return rate, events / until_done(url, started)


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
    parser.add_argument("--processes", type=int, default=1, help="web processes of `attent serve`")
    args = parser.parse_args()
    print_machine()
    secret, token = setup(args.url)
    live, live_done, intake, intake_done, calls = [], [], [], [], 0
    with Server(args.url, workers=args.processes) as server:
        print(server.describe())
        delays = panel_delays(server, secret, token, args.rings)  # on a quiet line, before the bursts
        calls += args.rings
        for round_ in range(args.rounds):
            events = _calls(random.Random(round_), args.calls, round_)
            per_call = [json.dumps(events[i : i + 3]).encode() for i in range(0, len(events), 3)]
            accepted, done = run(args.url, server, secret, per_call, len(events))
            live.append(accepted)
            live_done.append(done)
            batch_events = _calls(random.Random(1000 + round_), args.calls, 1000 + round_)
            bodies = [json.dumps(batch_events[i : i + args.batch]).encode()
                      for i in range(0, len(batch_events), args.batch)]  # fmt: skip
            accepted, done = run(args.url, server, secret, bodies, len(batch_events))
            intake.append(accepted)
            intake_done.append(done)
            again, repeats = post_all(server, secret, bodies + per_call)
            assert repeats["duplicates"] == len(batch_events) + len(events), repeats
            calls += 2 * args.calls
            settled, contacts, promises = made(args.url)
            assert settled == contacts == calls, (settled, contacts, calls)
            print(f"round {round_ + 1}: live posts accepted {live[-1]:,.0f} events/s, done "
                  f"{live_done[-1]:,.0f} events/s; batches accepted {intake[-1]:,.0f} events/s, done "
                  f"{intake_done[-1]:,.0f} events/s; all posted again: {again:,.0f} events/s, all "
                  f"duplicates; {settled:,} calls settled, {contacts:,} contacts, "
                  f"{promises:,} call-backs")  # fmt: skip
    median = statistics.median
    print(f"live posts (one call's 3 events per post): accepted median {median(live):,.0f} events/s, "
          f"done (first post → last event done) {median(live_done):,.0f} events/s")  # fmt: skip
    print(f"batches of {args.batch:,}: accepted {median(intake):,.0f} events/s; "
          f"done {median(intake_done):,.0f} events/s")  # fmt: skip
    q = statistics.quantiles(delays, n=20)
    print(f"incoming-call panel after ringing: median {median(delays) * 1000:.0f} ms, "
          f"p95 {q[-1] * 1000:.0f} ms over {len(delays)} rings")  # fmt: skip


if __name__ == "__main__":
    main()
