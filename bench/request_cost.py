"""What one request costs the web process, measured in-process without an HTTP server or load generator.

    python -m bench.request_cost --url postgresql://postgres@127.0.0.1:5432/attent_bench
    python -m bench.request_cost --instructions      # the same under callgrind: instructions per request

Each request goes through the real app (middleware, routing, dependencies, the route, the database on
PostgreSQL) as a raw ASGI call, one at a time. The default mode reports CPU milliseconds per request of
the whole process, medians over rounds that alternate the endpoints so load hits them alike. A busy
machine still inflates CPU time; `--instructions` runs each endpoint in a child process under valgrind's
callgrind with instrumentation switched on only around the measured requests, and reports instructions
per request, which are the same run after run whatever else the machine does (the threads' share too:
the event loop's and the worker thread's). The contacts and events it writes are deleted afterwards and
the cases restored, as `bench.contacts_throughput` does.
"""

import argparse
import asyncio
import gc
import itertools
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from attent.app import create_app
from attent.core.clock import SystemClock
from attent.core.db import Database
from attent.core.settings import Settings
from bench.contacts_throughput import restore, snapshot
from bench.loader import DEFAULT_URL, Target, fixture
from bench.machine import print_machine

ENDPOINTS = ("post_contact", "me", "brief")
SAMPLE = 2_000  # cases the requests go round
Call = Callable[[Target], Awaitable[None]]


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _scope(method: str, path: str, headers: list[tuple[bytes, bytes]]) -> dict[str, Any]:
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 40000),
        "server": ("127.0.0.1", 8000),
        "state": {},
    }


def _caller(app: Any) -> Callable[[str, str, str, Any], Awaitable[int]]:
    """A bare ASGI client: one request, the whole body in one message, the status back."""

    async def call(method: str, path: str, token: str, payload: Any = None) -> int:
        body = json.dumps(payload).encode() if payload is not None else b""
        headers = [(b"host", b"bench"), (b"authorization", f"Bearer {token}".encode())]
        if payload is not None:
            headers += [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
        sent, status = False, [0]

        async def receive() -> dict[str, Any]:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            await asyncio.Event().wait()  # never disconnects
            return {}

        async def send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]

        await app(_scope(method, path, headers), receive, send)
        return status[0]

    return call


def _endpoints(app: Any) -> dict[str, Call]:
    call = _caller(app)
    now = datetime.now(UTC)
    contact = {
        "channel": "phone",
        "direction": "inbound",
        "outcome": "resolved",
        "started_at": (now - timedelta(minutes=7)).isoformat(),
        "ended_at": (now - timedelta(minutes=1)).isoformat(),
    }

    async def post_contact(t: Target) -> None:
        assert await call("POST", f"/api/v1/cases/{t.case_id}/contacts", t.token, contact) == 201

    async def me(t: Target) -> None:
        assert await call("GET", "/api/v1/agents/me", t.token) == 200

    async def brief(t: Target) -> None:
        assert await call("GET", f"/api/v1/cases/{t.case_id}/brief", t.token) == 200

    return {"post_contact": post_contact, "me": me, "brief": brief}


async def _run(url: str, requests: int, rounds: int, only: str | None, freeze: bool) -> None:
    targets = itertools.cycle(fixture(url, sample=SAMPLE).targets)
    database = Database.from_url(url, pool_size=4)
    app = create_app(Settings(database_url=url), database=database, clock=SystemClock(), worker=False)
    if freeze:
        gc.collect()
        gc.freeze()  # as `attent serve` does after start-up (core/serving.py)
    endpoints = _endpoints(app)
    async with app.router.lifespan_context(app):
        names = [only] if only else list(ENDPOINTS)
        for name in names:
            for _ in range(30):  # warm: statement caches, prepared statements, pool
                await endpoints[name](next(targets))
        if only:  # under callgrind: switch instrumentation on around the measured requests only
            _callgrind("on")
            for _ in range(requests):
                await endpoints[only](next(targets))
            _callgrind("off")
            return
        figures: dict[str, list[float]] = {name: [] for name in names}
        for _ in range(rounds):
            for name in names:
                start = _cpu()
                for _ in range(requests):
                    await endpoints[name](next(targets))
                figures[name].append(1000 * (_cpu() - start) / requests)
    print(f"CPU ms per request, {rounds} rounds x {requests} requests, one at a time (median, rounds):")
    for name, values in figures.items():
        print(f"  {name:13s} {statistics.median(values):6.2f}   ({', '.join(f'{v:.2f}' for v in values)})")


def _callgrind(state: str) -> None:
    subprocess.run(["callgrind_control", "-i", state, str(os.getpid())], check=True, capture_output=True)


def _instructions(url: str, requests: int, freeze: bool) -> None:
    """Each endpoint in its own child under callgrind; totals divided by the requests measured."""
    print(f"instructions per request (callgrind, {requests} requests each, after 30 to warm up):")
    for name in ENDPOINTS:
        with tempfile.TemporaryDirectory() as folder:
            out = Path(folder) / "callgrind.out"
            command = [
                "valgrind", "--tool=callgrind", "--instr-atstart=no", f"--callgrind-out-file={out}",
                sys.executable, "-m", "bench.request_cost", "--url", url,
                "--requests", str(requests), "--only", name, *([] if freeze else ["--no-freeze"]),
            ]  # fmt: skip
            subprocess.run(command, check=True, capture_output=True)
            totals = next(line for line in out.read_text().splitlines() if line.startswith("totals:"))
            print(f"  {name:13s} {int(totals.split()[1]) / requests / 1e6:6.2f} M")


def main() -> None:
    """Parse the arguments and measure."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--url", default=DEFAULT_URL, help="a database loaded by bench.loader")
    parser.add_argument("--requests", type=int, default=300, help="requests per endpoint and round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--instructions", action="store_true", help="count instructions under callgrind")
    parser.add_argument("--no-freeze", dest="freeze", action="store_false", help="skip gc.freeze()")
    parser.add_argument("--only", choices=ENDPOINTS, help=argparse.SUPPRESS)  # the child under callgrind
    args = parser.parse_args()
    if args.only:
        asyncio.run(_run(args.url, args.requests, 1, args.only, args.freeze))
        return
    print_machine(args.url)
    cases, since = snapshot(args.url, fixture(args.url, sample=SAMPLE).targets), datetime.now(UTC)
    try:
        if args.instructions:
            _instructions(args.url, min(args.requests, 60), args.freeze)
        else:
            asyncio.run(_run(args.url, args.requests, args.rounds, None, args.freeze))
    finally:
        restore(args.url, cases, since)


if __name__ == "__main__":
    main()
