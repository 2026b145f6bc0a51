"""Attent, the peer (django-helpdesk) and PostgreSQL itself, measured side by side in one run (issue 21).

    python -m bench.side_by_side --url postgresql://postgres@127.0.0.1:5432/attent_bench

The database at --url is loaded by `bench.loader` (10,000 cases on a small machine, 100,000 on a
real one). The peer is installed from PyPI into its own virtual environment under `bench/work/` and
loaded into its own database (`<name>_peer`, see `bench/peer.py`); pgbench gets `<name>_pgbench`.
Each round runs three groups in an order that rotates from round to round, so drift of the
machine's other load hits each group alike:

- PostgreSQL: `pgbench -N -c 4 -j 2` (TPC-B without the contended branch/teller updates);
- Attent (`attent serve --workers 2 --no-worker`, kept up for the whole run): finished contacts
  `POST /api/v1/cases/{id}/contacts` at 8 and 32 connections, contacts with a 4-message transcript
  at 8, and `GET /api/v1/cases/{id}/brief` at 8;
- the peer (gunicorn, 2 sync workers): `POST /api/followups/` and `GET /api/tickets/<id>/` at 8.

Load comes from wrk on loopback (`bench/requests.lua`). It prints every measurement, then per test
the median over rounds, the ratios the issue asks for, and the memory (RSS) of each server's
processes under load. What Attent wrote is deleted afterwards (`--keep` leaves it).
"""

import argparse
import json
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy.engine import make_url

from bench.contacts_throughput import Wrk, restore, snapshot
from bench.loader import DEFAULT_URL, Target, fixture
from bench.machine import print_machine, process_tree_rss
from bench.peer import VERSION, Peer
from bench.server import Server

PGBENCH = "pgbench -N -c 4 -j 2"
CONTACT_8, CONTACT_32 = "attent POST contact, 8 conn", "attent POST contact, 32 conn"
TRANSCRIPT_8, BRIEF_8 = "attent POST contact+4 messages, 8 conn", "attent GET brief, 8 conn"
PEER_POST, PEER_GET = "peer POST followup, 8 conn", "peer GET ticket, 8 conn"
TRANSCRIPT = [
    ("customer", "Hello, my parcel did not arrive yesterday."),
    ("agent", "I am sorry to hear that; let me look at the carrier's tracking for you."),
    ("agent", "It is at the depot; it will be delivered tomorrow before noon."),
    ("customer", "Thank you, that helps."),
]


@dataclass(frozen=True)
class Figure:
    """One measurement: throughput, latency and the servers' memory at its end."""

    rps: float
    p50_ms: float = 0.0
    p99_ms: float = 0.0
    failed: int = 0
    rss_mb: float = 0.0
    parent_mb: float = 0.0

    def row(self) -> str:
        """One aligned line."""
        line = f"{self.rps:8.1f} /s"
        if self.p50_ms or self.p99_ms:
            line += f"  p50 {self.p50_ms:7.1f}  p99 {self.p99_ms:7.1f} ms  failed {self.failed}"
        if self.rss_mb:
            line += f"  rss {self.rss_mb:5.0f} MB (parent {self.parent_mb:.0f} MB)"
        return line


def pgbench_url(url: str) -> str:
    """pgbench's own database on the same server: `<name>_pgbench`, as libpq understands it."""
    parsed = make_url(url)
    return parsed.set(drivername="postgresql", database=f"{parsed.database}_pgbench").render_as_string(
        hide_password=False
    )


def pgbench_init(url: str, scale: int) -> None:
    """Create and initialise pgbench's database once (kept between runs)."""
    parsed = make_url(url)
    admin = parsed.set(database="postgres").render_as_string(hide_password=False)
    found = subprocess.run(
        ["psql", admin, "-tAc", f"SELECT 1 FROM pg_database WHERE datname = '{parsed.database}'"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    if not found:
        subprocess.run(["psql", admin, "-qc", f'CREATE DATABASE "{parsed.database}"'], check=True)
        subprocess.run(["pgbench", "-i", "-q", "-s", str(scale), url], check=True, capture_output=True)


def pgbench(url: str, seconds: float) -> Figure:
    """`pgbench -N -c 4 -j 2` for `seconds`: transactions per second and latency."""
    out = subprocess.run(
        ["pgbench", "-N", "-c", "4", "-j", "2", "-T", str(round(seconds)), "-n", "-r", url],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    tps = re.search(r"tps = ([\d.]+)", out)
    latency = re.search(r"latency average = ([\d.]+) ms", out)
    if tps is None:
        raise RuntimeError(f"pgbench printed no tps:\n{out}")
    return Figure(float(tps.group(1)), p50_ms=float(latency.group(1)) if latency else 0.0)


def attent_requests(folder: Path, targets: list[Target], now: datetime) -> dict[str, Path]:
    """wrk's request files for Attent: finished contacts, contacts with a transcript, brief reads."""
    started, ended = (now - timedelta(minutes=7)), (now - timedelta(minutes=1))
    channels = [
        ("phone", "inbound", "resolved"),
        ("email", "inbound", "follow_up"),
        ("chat", "outbound", "resolved"),
    ]
    files = {name: folder / f"{name}.tsv" for name in ("contact", "transcript", "brief")}
    with (
        files["contact"].open("w") as contact,
        files["transcript"].open("w") as transcript,
        files["brief"].open("w") as brief,
    ):
        for i, target in enumerate(targets):
            channel, direction, outcome = channels[i % len(channels)]
            body: dict[str, object] = {"channel": channel, "direction": direction, "outcome": outcome}
            body |= {"started_at": started.isoformat(), "ended_at": ended.isoformat()}
            path = f"/api/v1/cases/{target.case_id}/contacts"
            contact.write(f"POST\t{path}\t{target.token}\t{json.dumps(body)}\n")
            said = [
                {"speaker": who, "text": text, "at": (started + timedelta(seconds=30 * (n + 1))).isoformat()}
                for n, (who, text) in enumerate(TRANSCRIPT)
            ]
            transcript.write(f"POST\t{path}\t{target.token}\t{json.dumps(body | {'messages': said})}\n")
            brief.write(f"GET\t/api/v1/cases/{target.case_id}/brief\t{target.token}\t\n")
    return files


def wrk_figure(load: Wrk, server: Server | Peer, requests: Path, expected: int, seconds: float) -> Figure:
    """Run wrk against one server; the figure with the server's memory at the end."""
    result = load.run([server], requests, expected, seconds)  # type: ignore[list-item]
    rss, parent = process_tree_rss(server.pid)
    if isinstance(server, Peer):
        server.settle()
    return Figure(
        result.rps, result.p50_ms, result.p99_ms, result.unexpected + result.socket_errors, rss, parent
    )


def run(url: str, args: argparse.Namespace) -> None:
    """Install and load what is missing, measure the rounds in rotating order, print medians and ratios."""
    for tool in ("wrk", "pgbench", "psql"):
        if shutil.which(tool) is None:
            raise SystemExit(f"{tool} is not installed (Debian: apt-get install -y wrk postgresql-client)")
    print_machine(url)
    bench_url = pgbench_url(url)
    pgbench_init(bench_url, args.pgbench_scale)
    data = fixture(url, sample=args.targets, seed=args.seed)
    print(
        f"attent:   {data.cases:,} cases, {data.events:,} events; requests rotate over {len(data.targets):,}"
    )
    print(f"peer:     django-helpdesk {VERSION}, {args.peer_tickets:,} tickets (bench/peer.py: its best)")
    print(f"pgbench:  scale {args.pgbench_scale}, -N -c 4 -j 2")
    print(f"client:   wrk, {args.duration:g} s per test, {args.rounds} rounds in rotating order\n")
    cases = [] if args.keep else snapshot(url, data.targets)
    since = datetime.now(UTC)
    folder = Path(tempfile.mkdtemp(prefix="attent-side-"))
    files = attent_requests(folder, data.targets, since)
    figures: dict[str, list[Figure]] = {}
    try:
        with ExitStack() as stack:
            server = stack.enter_context(Server(url, workers=args.workers))
            peer = stack.enter_context(Peer(url, workers=args.workers, tickets=args.peer_tickets))
            before = None
            if args.before:  # the same server running another source tree: a lever's before and after
                settings = {"PYTHONPATH": str(Path(args.before).resolve())}
                before = stack.enter_context(Server(url, workers=args.workers, settings=settings))
            followups, tickets = peer.followup_requests(folder), peer.read_requests(folder)
            w8, w32 = Wrk(connections=8, threads=1), Wrk(connections=32, threads=1)
            secs = args.duration

            def on(target: Server | Peer, load: Wrk, requests: Path, status: int) -> Callable[[], Figure]:
                return lambda: wrk_figure(load, target, requests, status, secs)

            groups: list[list[tuple[str, Callable[[], Figure]]]] = [
                [(PGBENCH, lambda: pgbench(bench_url, secs))],
                [
                    (CONTACT_8, on(server, w8, files["contact"], 201)),
                    (CONTACT_32, on(server, w32, files["contact"], 201)),
                    (TRANSCRIPT_8, on(server, w8, files["transcript"], 201)),
                    (BRIEF_8, on(server, w8, files["brief"], 200)),
                ],
                [(PEER_POST, on(peer, w8, followups, 201)), (PEER_GET, on(peer, w8, tickets, 200))],
            ]
            if before is not None:  # each "before" right next to its "after", the pair's order alternating
                b8, b32 = on(before, w8, files["contact"], 201), on(before, w32, files["contact"], 201)
                groups[1][1:1] = [(f"before: {CONTACT_8}", b8)]
                groups[1][3:3] = [(f"before: {CONTACT_32}", b32)]
            print("warm-up ...")
            wrk_figure(w8, server, files["contact"], 201, args.warmup)
            wrk_figure(w8, peer, followups, 201, args.warmup)
            for r in range(args.rounds):
                for group in groups[r % len(groups) :] + groups[: r % len(groups)]:
                    for name, measure in group if r % 2 == 0 else group[::-1]:
                        figure = measure()
                        figures.setdefault(name, []).append(figure)
                        print(f"round {r + 1}  {name:<40} {figure.row()}")
                        time.sleep(1.0)
    finally:
        if not args.keep:
            restore(url, cases, since)
    report(figures)


def report(figures: dict[str, list[Figure]]) -> None:
    """Medians over rounds and the issue's ratios."""
    med = {name: statistics.median(f.rps for f in rounds) for name, rounds in figures.items()}
    print("\n== medians over rounds ==")
    for name, rounds in figures.items():
        p50 = statistics.median(f.p50_ms for f in rounds)
        p99 = statistics.median(f.p99_ms for f in rounds)
        rss = max(f.rss_mb for f in rounds)
        parent = max(f.parent_mb for f in rounds)
        memory = f"  rss max {rss:4.0f} MB (parent {parent:.0f})" if rss else ""
        print(f"{name:<40} {med[name]:8.1f} /s  p50 {p50:6.1f}  p99 {p99:6.1f} ms{memory}")
    pg, peer_post, peer_read = med[PGBENCH], med[PEER_POST], med[PEER_GET]
    print("\n== ratios ==")
    for name in (CONTACT_8, CONTACT_32, TRANSCRIPT_8):
        print(f"{name:<40} {_ratio(med[name], pg)} x pgbench   {_ratio(med[name], peer_post)} x peer's POST")
    print(f"{PEER_POST:<40} {_ratio(peer_post, pg)} x pgbench")
    for name in (CONTACT_8, CONTACT_32):
        if f"before: {name}" in med:
            print(f"{name:<40} {_ratio(med[name], med[f'before: {name}'])} x before (--before)")
    print(
        f"{BRIEF_8:<40} {_ratio(med[BRIEF_8], pg)} x pgbench   {_ratio(med[BRIEF_8], peer_read)} x peer's GET"
    )


def _ratio(value: float, baseline: float) -> str:
    return f"{value / baseline:6.2f}" if baseline else "   n/a"  # the peer's read may finish none


def main() -> None:
    """Parse arguments and run."""
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--url", default=DEFAULT_URL, help="a PostgreSQL database loaded by bench.loader")
    parser.add_argument("--duration", type=float, default=20.0, help="seconds per test")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument("--workers", type=int, default=2, help="web processes of each server")
    parser.add_argument("--targets", type=int, default=10_000, help="cases Attent's requests rotate over")
    parser.add_argument("--peer-tickets", type=int, default=1_000)
    parser.add_argument("--pgbench-scale", type=int, default=10)
    parser.add_argument(
        "--before",
        metavar="SRC",
        help="also serve Attent from this source tree (e.g. main's src): before/after",
    )
    parser.add_argument("--keep", action="store_true", help="keep what Attent's requests wrote")
    parser.add_argument("--seed", type=int, default=21)
    run(parser.parse_args().url, parser.parse_args())


if __name__ == "__main__":
    main()
