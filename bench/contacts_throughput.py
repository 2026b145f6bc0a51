"""Throughput of `POST /api/v1/cases/{id}/contacts` under concurrent load from wrk on loopback.

    python -m bench.contacts_throughput --url postgresql://postgres@127.0.0.1:5432/attent_bench

Target (foundation issue): at least 500 requests/s. wrk (Debian: `apt-get install wrk`) keeps
--connections requests in flight, each logging a finished phone/e-mail/chat contact on one of many
loaded cases. Each round first measures a baseline (`GET /api/v1/agents/me`, auth plus a team
lookup) under the same load, then the POST, so the ratio holds on a noisy machine. Setups: one
server with 1 web process, one with 2 (`--workers 2`), and two single-process servers on separate
ports with wrk's connections split between them (scale-out by more `attent serve` processes).
Afterwards the contacts and events it wrote are deleted and the cases restored, so the data set
stays as loaded (pass --keep to leave them)."""

import argparse
import json
import math
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import and_, bindparam, delete, select, update

from attent.cases.models import Case
from attent.coach.models import ScoringDue
from attent.contacts.models import Contact, Message
from attent.core.db import make_engine
from attent.timeline.models import TimelineEvent
from bench.loader import DEFAULT_URL, Target, fixture
from bench.machine import CpuMeter, CpuShare, print_machine
from bench.server import Server

TARGET_RPS = 500.0
LUA = Path(__file__).with_name("requests.lua")
BODIES = [
    ("phone", "inbound", "resolved"),
    ("email", "inbound", "follow_up"),
    ("chat", "inbound", "resolved"),
    ("phone", "outbound", "resolved"),
]


@dataclass(frozen=True)
class WrkResult:
    """One wrk run: throughput, failures and latency percentiles."""

    rps: float
    requests: int
    unexpected: int
    socket_errors: int
    p50_ms: float
    p99_ms: float
    cpu: CpuShare

    def row(self) -> str:
        """The figures as one aligned line."""
        failed = self.unexpected + self.socket_errors
        return (
            f"{self.rps:7.0f} req/s  p50 {self.p50_ms:6.1f}  p99 {self.p99_ms:6.1f} ms  "
            f"failed {failed:<4d} cpu: {self.cpu}"
        )


def write_requests(folder: Path, targets: list[Target], now: datetime) -> tuple[Path, Path]:
    """The POST and the baseline request files that requests.lua replays."""
    started, ended = (now - timedelta(minutes=7)).isoformat(), (now - timedelta(minutes=1)).isoformat()
    posts, gets = folder / "contacts.tsv", folder / "me.tsv"
    with posts.open("w") as post_file, gets.open("w") as get_file:
        for i, target in enumerate(targets):
            channel, direction, outcome = BODIES[i % len(BODIES)]
            body = {"channel": channel, "direction": direction, "outcome": outcome}
            body |= {"started_at": started, "ended_at": ended}
            post_file.write(
                f"POST\t/api/v1/cases/{target.case_id}/contacts\t{target.token}\t{json.dumps(body)}\n"
            )
            get_file.write(f"GET\t/api/v1/agents/me\t{target.token}\t\n")
    return posts, gets


@dataclass(frozen=True)
class Wrk:
    """The load generator: wrk with a fixed number of threads and open connections."""

    connections: int
    threads: int

    def run(self, servers: list[Server], requests: Path, expected: int, seconds: float) -> WrkResult:
        """Run wrk against the servers at once, splitting the connections; sum what they report.

        With several servers, the latency percentiles are those of the slowest one.
        """
        connections = max(self.threads, self.connections // len(servers))
        meter, before = CpuMeter(*(s.pid for s in servers)), _reaped_children_cpu()
        started = time.perf_counter()
        processes = [self._start(server, connections, requests, expected, seconds) for server in servers]
        results = [self._finish(process, seconds) for process in processes]
        share = meter.stop(time.perf_counter() - started, client_cpu=_reaped_children_cpu() - before)
        return WrkResult(
            rps=sum(r["requests"] / (r["duration_us"] / 1e6) for r in results),
            requests=sum(r["requests"] for r in results),
            unexpected=sum(r["unexpected_status"] for r in results),
            socket_errors=sum(r["socket_errors"] for r in results),
            p50_ms=max(r["p50_us"] for r in results) / 1000,
            p99_ms=max(r["p99_us"] for r in results) / 1000,
            cpu=share,
        )

    def _start(
        self, server: Server, connections: int, requests: Path, expected: int, seconds: float
    ) -> subprocess.Popen[str]:
        command = ["wrk", f"-t{self.threads}", f"-c{connections}", f"-d{seconds:g}s", "--timeout", "10s"]
        command += ["-s", str(LUA), server.base_url, "--", str(requests), str(expected)]
        return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    @staticmethod
    def _finish(process: subprocess.Popen[str], seconds: float) -> dict[str, Any]:
        try:
            out, err = process.communicate(timeout=seconds + 60)
        except subprocess.TimeoutExpired:
            process.kill()
            raise
        lines = [line for line in out.splitlines() if line.startswith("{")]
        if process.returncode != 0 or not lines:
            raise RuntimeError(f"wrk failed ({process.returncode}): {err or out}")
        result: dict[str, Any] = json.loads(lines[-1])
        return result


@dataclass(frozen=True)
class Setup:
    """How the app is served: `servers` separate `attent serve` processes with `workers` each."""

    servers: int
    workers: int
    on_loop: bool | None = None  # ATTENT_API_ON_EVENT_LOOP: None leaves attent serve's default

    @classmethod
    def parse(cls, text: str) -> "Setup":
        """'2': one server, 2 web processes; '2x1': two servers, one each; '2T': API work in threads."""
        on_loop = {"L": True, "T": False}.get(text[-1])
        servers, _, workers = text.rstrip("LT").rpartition("x")
        return cls(int(servers or 1), int(workers), on_loop)

    def settings(self) -> dict[str, str]:
        """The extra ATTENT_* variables of this setup."""
        return {} if self.on_loop is None else {"ATTENT_API_ON_EVENT_LOOP": str(self.on_loop).lower()}

    def describe(self, access_log: bool) -> str:
        """One line naming the servers and their processes."""
        server = "attent serve (access log " + ("on)" if access_log else "off)")
        processes = f"{self.workers} web process{'es' if self.workers > 1 else ''}"
        processes += {True: ", API work on the event loop", False: ", API work in threads", None: ""}[
            self.on_loop
        ]
        if self.servers == 1:
            return f"{server}, {processes}, no worker"
        return f"{self.servers} x {server} on separate ports, {processes} each, wrk connections split"


def _ratio(value: float, baseline: float) -> float:
    """value / baseline, or NaN when the baseline got nothing done (e.g. SQLite under many writers)."""
    return value / baseline if baseline else math.nan


def _reaped_children_cpu() -> float:
    """CPU seconds of this process's children that have exited (wrk, once it is done)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def snapshot(url: str, targets: list[Target]) -> list[dict[str, Any]]:
    """Status and times of the target cases, to put back after the run."""
    engine = make_engine(url)
    ids = sorted({t.case_id for t in targets})
    rows: list[dict[str, Any]] = []
    try:
        with engine.connect() as conn:
            for i in range(0, len(ids), 1000):
                query = select(Case.organisation_id, Case.id, Case.status, Case.resolved_at, Case.updated_at)
                for row in conn.execute(query.where(Case.id.in_(ids[i : i + 1000]))):
                    rows.append({"o": row[0], "i": row[1], "s": row[2], "r": row[3], "u": row[4]})
    finally:
        engine.dispose()
    return rows


def restore(url: str, cases: list[dict[str, Any]], since: datetime) -> None:
    """Delete the contacts and events written since `since` (by UUIDv7 time) and restore the cases."""
    floor = uuid.UUID(int=int(since.timestamp() * 1000) << 80)  # every UUIDv7 minted later sorts above
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            events = conn.execute(delete(TimelineEvent).where(TimelineEvent.id >= floor)).rowcount
            for dependent in (Message, ScoringDue):  # a transcript's messages, contacts queued for the coach
                conn.execute(delete(dependent).where(dependent.id >= floor))
            contacts = conn.execute(delete(Contact).where(Contact.id >= floor)).rowcount
            key = and_(Case.organisation_id == bindparam("o"), Case.id == bindparam("i"))
            statement = update(Case).where(key).values(status=bindparam("s"), resolved_at=bindparam("r"))
            conn.execute(statement.values(updated_at=bindparam("u")), cases)
        if engine.dialect.name == "postgresql":
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql(
                    "VACUUM (ANALYZE) timeline_events, contacts, messages, coach_queue, cases"
                )
    finally:
        engine.dispose()
    print(f"cleaned up: {contacts:,} contacts and {events:,} events deleted, {len(cases):,} cases restored")


def measure(url: str, setup: Setup, args: argparse.Namespace, posts: Path, gets: Path) -> tuple[float, float]:
    """Rounds of baseline GET then POST on one setup; returns (median POST req/s, median ratio)."""
    load = Wrk(connections=args.connections, threads=args.threads)
    with ExitStack() as stack:
        servers = [
            stack.enter_context(
                Server(url, workers=setup.workers, access_log=args.access_log, settings=setup.settings())
            )
            for _ in range(setup.servers)
        ]
        print(f"== {setup.describe(args.access_log)} ==")
        load.run(servers, posts, 201, args.warmup)
        post_rps, base_rps = [], []
        for r in range(args.rounds):
            base = load.run(servers, gets, 200, args.duration)
            post = load.run(servers, posts, 201, args.duration)
            print(f"round {r + 1}/{args.rounds}  GET me  {base.row()}")
            print(f"{'':13}POST    {post.row()}  ({_ratio(post.rps, base.rps):.2f} x GET me)")
            if base.unexpected or post.unexpected:
                print(f"{'':13}unexpected statuses: see {', '.join(str(s.log_path) for s in servers)}")
            post_rps.append(post.rps)
            base_rps.append(base.rps)
    ratio = statistics.median(_ratio(p, b) for p, b in zip(post_rps, base_rps, strict=True))
    rps = statistics.median(post_rps)
    base_rps_median = statistics.median(base_rps)
    print(f"median: POST {rps:.0f} req/s, GET me {base_rps_median:.0f} req/s, POST = {ratio:.2f} x GET me\n")
    return rps, ratio


def run(url: str, args: argparse.Namespace) -> None:
    """Measure every server configuration, print per round and median figures, then clean up."""
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install -y wrk")
    print_machine(url)
    data = fixture(url, sample=args.targets, seed=args.seed)
    print(
        f"data:     {data.cases:,} cases, {data.events:,} events; POSTs go to {len(data.targets):,} targets"
    )
    version = subprocess.run(["wrk", "-v"], capture_output=True, text=True, check=False).stdout.split("[")[0]
    print(f"client:   {version.strip()}, {args.threads} thread(s), {args.connections} connections, loopback")
    print("note:     wrk, the server and PostgreSQL share the same 2 cores; 'cpu' shows who used them\n")
    cases = [] if args.keep else snapshot(url, data.targets)
    since = datetime.now(UTC)
    posts, gets = write_requests(Path(tempfile.mkdtemp(prefix="attent-bench-")), data.targets, since)
    results: dict[str, tuple[float, float]] = {}
    try:
        for text in args.setups:
            results[text] = measure(url, Setup.parse(text), args, posts, gets)
    finally:
        if not args.keep:
            restore(url, cases, since)
    for text, (rps, ratio) in results.items():
        verdict = "met" if rps >= TARGET_RPS else "NOT met"
        figures = f"{rps:.0f} req/s ({ratio:.2f} x GET me)"
        print(f"target >= {TARGET_RPS:.0f} req/s, setup {text}: {figures}, {verdict}")


def main() -> None:
    """Parse arguments and run the benchmark."""
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]  # progress shows when piped
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--url", default=DEFAULT_URL, help="a database loaded by bench.loader")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per measurement")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds of POSTs before measuring")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=1, help="wrk threads")
    parser.add_argument(
        "--setups",
        nargs="+",
        default=["1", "2", "2x1"],
        help="N: one server with N web processes; SxN: S servers on separate ports; a trailing L or T (2T): "
        "ATTENT_API_ON_EVENT_LOOP=true or false (default: on with several processes)",
    )
    parser.add_argument("--targets", type=int, default=20_000, help="cases the POSTs rotate over")
    parser.add_argument(
        "--no-access-log", dest="access_log", action="store_false", help="ATTENT_ACCESS_LOG=false"
    )
    parser.add_argument("--keep", action="store_true", help="keep what the run wrote")
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    run(args.url, args)


if __name__ == "__main__":
    main()
