"""The promise keeper: how late do real workers move due promises, and how fast do they drain a backlog?

    python -m bench.promise_keeper --url postgresql://postgres@127.0.0.1:5432/attent_bench_promises

Loads 1,000,000 open promises (COPY), then two phases against real `attent worker` processes with the
real clock. Minute: 20,000 promises turn at risk within one minute; lag per transition = when its
commit became visible minus its due moment. Backlog: 20,000 promises due at one instant; transitions
per second with two workers and with one. The database is created here and dropped at the end.
"""

import argparse
import random
import statistics
import sys
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
from sqlalchemy import Engine, make_url, text

from attent.core.db import make_engine, normalise_url
from attent.core.ids import uuid7
from attent.core.migrate import upgrade
from bench.loader import Sink, analyze, defer_checks, ensure_database, reset, write_customers, write_people
from bench.machine import machine_cpu, print_machine, process_tree_cpu
from bench.promise_rows import PromiseWriter, write_cases
from bench.stats import percentile
from bench.workers import Workers

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/attent_bench_promises"
CHANNEL = "bench_promise_moved"
MOVED = ("promise.at_risk", "promise.broken")
# Commit visibility: NOTIFY is delivered only when the notifying transaction commits, so a statement
# trigger on timeline_events that names each batch (its `noticed_at`) tells the listener the moment
# the batch's transitions became visible. The trigger is the benchmark's, not the application's.
TRIGGER = f"""
CREATE FUNCTION bench_promise_moved() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('{CHANNEL}', batch) FROM (SELECT DISTINCT data->>'noticed_at' AS batch FROM moved
    WHERE kind IN ('promise.at_risk', 'promise.broken')) AS batches;
  RETURN NULL;
END $$;
CREATE TRIGGER bench_promise_moved AFTER INSERT ON timeline_events REFERENCING NEW TABLE AS moved
  FOR EACH STATEMENT EXECUTE FUNCTION bench_promise_moved();
"""


class CommitWatch:
    """Listens on its own connection and stamps, with this machine's clock, when each batch committed."""

    def __init__(self, url: str) -> None:
        conninfo = make_url(normalise_url(url)).set(drivername="postgresql").render_as_string(False)
        self.conn = psycopg.connect(conninfo, autocommit=True)
        self.conn.execute(f"LISTEN {CHANNEL}")
        self.seen: dict[str, datetime] = {}
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._listen, daemon=True)
        self.thread.start()

    def _listen(self) -> None:
        while not self.stopping.is_set():
            for note in self.conn.notifies(timeout=0.5):
                self.seen.setdefault(note.payload, datetime.now(UTC))

    def close(self) -> None:
        """Stop listening."""
        self.stopping.set()
        self.thread.join()
        self.conn.close()


class Meter:
    """CPU seconds of the workers, of this database's PostgreSQL backends and of the rest."""

    def __init__(self, engine: Engine, workers: Workers) -> None:
        self.engine, self.pids = engine, workers.pids
        self.started, self.busy = time.perf_counter(), machine_cpu()[0]
        self.workers, self.backends = self._workers(), self._backends()

    def _workers(self) -> float:
        return sum(process_tree_cpu(pid) for pid in self.pids)

    def _backends(self) -> dict[int, float]:
        with self.engine.connect() as conn:
            pids = conn.scalars(text("SELECT pid FROM pg_stat_activity WHERE datname = current_database()"))
            return {pid: process_tree_cpu(pid) for pid in pids}

    def stop(self) -> "Cpu":
        """What each used since the start (backends that connected meanwhile count from zero)."""
        workers = self._workers() - self.workers
        postgres = sum(cpu - self.backends.get(pid, 0.0) for pid, cpu in self._backends().items())
        busy = machine_cpu()[0] - self.busy
        return Cpu(time.perf_counter() - self.started, workers, postgres, max(0.0, busy - workers - postgres))


@dataclass(frozen=True)
class Cpu:
    """CPU seconds over an interval of `elapsed` seconds; `rest` is everything else on the machine."""

    elapsed: float
    workers: float
    postgres: float
    rest: float

    def line(self, moved: int) -> str:
        """Cores used, and CPU per transition."""
        cores = "  ".join(
            f"{name} {seconds / self.elapsed:.2f}"
            for name, seconds in (("workers", self.workers), ("postgres", self.postgres), ("rest", self.rest))
        )
        per = f"{self.workers / moved * 1e6:.0f} + {self.postgres / moved * 1e6:.0f} µs" if moved else "-"
        return f"cores: {cores};  cpu per transition (workers + postgres) {per}"


@dataclass(frozen=True)
class Round:
    """One round's transitions: lag to commit visibility and to the worker's notice, in seconds."""

    label: str
    moved: int
    commit_lags: list[float]
    notice_lags: list[float]
    first_notice: datetime
    first_commit: datetime
    last_commit: datetime
    cpu: Cpu

    def lag(self, q: float) -> float:
        """The q-th percentile of the commit lag."""
        return percentile(sorted(self.commit_lags), q)

    @property
    def rate(self) -> float:
        """Transitions per second from the first batch's start to the last batch's commit."""
        return self.moved / max((self.last_commit - self.first_notice).total_seconds(), 1e-6)

    @property
    def commit_rate(self) -> float:
        """Transitions per second from the first commit to the last."""
        return self.moved / max((self.last_commit - self.first_commit).total_seconds(), 1e-6)

    def line(self) -> str:
        """Lag percentiles (commit visible; the worker's notice in brackets) and throughput."""
        notice = sorted(self.notice_lags)
        return (
            f"{self.label}: {self.moved:,} moved; lag s p50 {self.lag(50):.2f} ({percentile(notice, 50):.2f})"
            f" p90 {self.lag(90):.2f} ({percentile(notice, 90):.2f}) p99 {self.lag(99):.2f}"
            f" ({percentile(notice, 99):.2f}) max {self.lag(100):.2f} ({notice[-1]:.2f});"
            f" {self.rate:,.0f}/s first notice→last commit, {self.commit_rate:,.0f}/s first→last commit\n"
            f"    {self.cpu.line(self.moved)}"
        )


class Bench:
    """The loaded database, its promise writer, and the rounds measured on it."""

    def __init__(self, url: str, args: argparse.Namespace) -> None:
        self.url, self.args = url, args
        self.engine: Engine = make_engine(url)
        self.rng = random.Random(args.seed)
        self.env = {}
        if args.poll is not None:
            self.env["ATTENT_WORKER_POLL_SECONDS"] = str(args.poll)
        if args.batch is not None:
            self.env["ATTENT_PROMISE_BATCH"] = str(args.batch)

    def load(self) -> None:
        """1,000,000 open promises minus one minute's worth, due 2 to 9 days from now, on 250,000 cases."""
        args, rng, now = self.args, self.rng, datetime.now(UTC)
        reset(self.url)
        upgrade(self.url)
        started = time.perf_counter()
        with self.engine.begin() as conn:
            sink = Sink(conn)
            restore = defer_checks(conn)
            plans = write_people(sink, rng, args.orgs, 40, 5, now - timedelta(days=400))
            cases = max(1, args.promises // 4)
            weights = [1 / (i + 1) for i in range(args.orgs)]
            write_customers(sink, rng, plans, weights, max(args.orgs, cases // 2), now - timedelta(days=365))
            self.writer = PromiseWriter(rng, write_cases(sink, rng, plans, cases, now - timedelta(days=30)))
            later = (now + timedelta(days=rng.uniform(2, 9)) for _ in range(args.promises - args.due))
            self.writer.write(sink, later, made_before=timedelta(days=3))
            for statement in restore:
                conn.execute(text(statement))
            conn.execute(text(TRIGGER))
            print("rows:", ", ".join(f"{t} {n:,}" for t, n in sink.rows.items()))
        analyze(self.engine)
        self._vacuum()  # sets the visibility map once, so later vacuums between rounds are quick
        print(f"loaded in {time.perf_counter() - started:.1f} s\n")

    def _vacuum(self) -> None:
        """What autovacuum (off on these machines) would do between rounds."""
        with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM (ANALYZE) promises, timeline_events, notifications"))

    def _write(self, at_risk: list[datetime], made_before: timedelta) -> tuple[list[uuid.UUID], datetime]:
        with self.engine.begin() as conn:
            ids = self.writer.write(Sink(conn), at_risk, made_before)
        return ids, datetime.now(UTC)

    def _due(self, until: datetime) -> int:
        with self.engine.connect() as conn:
            return int(conn.scalar(text("SELECT count(*) FROM promises WHERE check_at <= :t"), {"t": until}))

    def _wait_moved(self, until: datetime, limit: float) -> None:
        """Poll (bounded) until no promise due by `until` is left; the lags come from the listener."""
        deadline = time.monotonic() + limit
        while self._due(until) and time.monotonic() < deadline:
            time.sleep(0.25)

    def minute(self, watch: CommitWatch, number: int) -> Round:
        """Two workers, 20,000 promises turning at risk at random moments within one minute."""
        args = self.args
        with Workers(self.url, args.workers, env=self.env) as workers:
            marker = uuid7()
            start = datetime.now(UTC) + timedelta(seconds=args.lead)
            window = timedelta(seconds=args.window)
            at_risk = sorted(start + window * self.rng.random() for _ in range(args.due))
            ids, written = self._write(at_risk, made_before=timedelta(hours=3))
            ahead = (start - written).total_seconds()
            print(f"  minute {number}: {len(ids):,} promises written {ahead:.1f} s before the minute begins")
            time.sleep(max(0.0, (start - datetime.now(UTC)).total_seconds()))
            meter = Meter(self.engine, workers)
            time.sleep(max(0.0, (start + window - datetime.now(UTC)).total_seconds()))
            self._wait_moved(start + window, args.margin)
            cpu = meter.stop()
        return self._finish(f"minute {number}", marker, ids, watch, workers, cpu)

    def backlog(self, watch: CommitWatch, number: int, count: int) -> Round:
        """`count` workers drain `args.backlog` promises that all fall due at the same instant."""
        args = self.args
        with Workers(self.url, count, env=self.env) as workers:
            marker = uuid7()
            due = datetime.now(UTC) + timedelta(seconds=args.backlog_lead)
            ids, written = self._write([due] * args.backlog, made_before=timedelta(hours=3))
            if written > due:
                late = (written - due).total_seconds()
                print(f"  (backlog {number} committed {late:.1f} s after its due time)")
            time.sleep(max(0.0, (due - datetime.now(UTC)).total_seconds()))
            meter = Meter(self.engine, workers)
            self._wait_moved(due, 300)
            cpu = meter.stop()
        label = f"backlog {number}, {count} worker{'s' if count > 1 else ''}"
        return self._finish(label, marker, ids, watch, workers, cpu)

    def _finish(
        self,
        label: str,
        marker: uuid.UUID,
        ids: list[uuid.UUID],
        watch: CommitWatch,
        workers: Workers,
        cpu: Cpu,
    ) -> Round:
        """Check every promise moved exactly once, compute the lags, then keep the promises and vacuum."""
        time.sleep(0.5)  # the listener stamps the last commits
        with self.engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT data->>'promise_id', kind, at, data->>'noticed_at' FROM timeline_events"
                    " WHERE id > :marker AND kind IN ('promise.at_risk', 'promise.broken')"
                ),
                {"marker": marker},
            ).all()
        problems = workers.problems()
        twice = [key for key, n in Counter((r[0], r[1]) for r in rows).items() if n > 1]
        moved = {r[0] for r in rows}
        if twice or moved != {str(i) for i in ids}:
            problems.append(f"{len(twice)} moved twice, {len(moved - {str(i) for i in ids})} moved unasked,"
                            f" {len({str(i) for i in ids} - moved)} not moved")  # fmt: skip
        unseen = {r[3] for r in rows} - watch.seen.keys()
        if unseen:
            problems.append(f"{len(unseen)} batches committed without a notification")
        for problem in problems:
            print(f"  PROBLEM ({label}): {problem}")
        if not rows or not watch.seen.keys() & {r[3] for r in rows}:
            raise SystemExit(f"{label}: nothing moved, or no commit was seen; see {workers.folder}")
        commits = [watch.seen[r[3]] for r in rows if r[3] in watch.seen]
        notices = [datetime.fromisoformat(r[3]) for r in rows]
        result = Round(
            label=label,
            moved=len(rows),
            commit_lags=[(watch.seen[r[3]] - r[2]).total_seconds() for r in rows if r[3] in watch.seen],
            notice_lags=[(datetime.fromisoformat(r[3]) - r[2]).total_seconds() for r in rows],
            first_notice=min(notices),
            first_commit=min(commits),
            last_commit=max(commits),
            cpu=cpu,
        )
        with self.engine.begin() as conn:  # the agents keep them, so later rounds start from a quiet table
            conn.execute(
                text(
                    "UPDATE promises SET state = 'kept', closed_at = now(), closed_by_id = owner_id,"
                    " close_reason = 'explicit', check_at = NULL WHERE check_at <= :horizon"
                ),
                {"horizon": datetime.now(UTC) + timedelta(days=1)},
            )
        self._vacuum()
        print(f"  {result.line()}")
        return result


def _summary(minutes: list[Round], backlogs: dict[int, list[Round]]) -> None:
    print("\n== medians over rounds ==")
    if minutes:
        lags = {q: statistics.median(r.lag(q) for r in minutes) for q in (50, 90, 99, 100)}
        notice = {
            q: statistics.median(percentile(sorted(r.notice_lags), q) for r in minutes) for q in (50, 99)
        }
        print(
            f"minute ({len(minutes)} rounds): commit lag s p50 {lags[50]:.2f} p90 {lags[90]:.2f}"
            f" p99 {lags[99]:.2f} max {lags[100]:.2f}  (worker's notice: p50 {notice[50]:.2f}"
            f" p99 {notice[99]:.2f});  target p99 <= 2 s"
        )
    rates = {n: statistics.median(r.rate for r in rounds) for n, rounds in backlogs.items() if rounds}
    for n, rate in sorted(rates.items()):
        commit_rate = statistics.median(r.commit_rate for r in backlogs[n])
        workers = statistics.median(r.cpu.workers / r.moved * 1e6 for r in backlogs[n])
        postgres = statistics.median(r.cpu.postgres / r.moved * 1e6 for r in backlogs[n])
        print(f"backlog, {n} worker(s) ({len(backlogs[n])} rounds): {rate:,.0f} transitions/s"
              f" (first→last commit {commit_rate:,.0f}/s); cpu per transition {workers:.0f} µs in the"
              f" workers + {postgres:.0f} µs in PostgreSQL")  # fmt: skip
    if 1 in rates and 2 in rates:
        print(f"two workers ÷ one: {rates[2] / rates[1]:.2f} times;  target >= 5,000/s with two workers")


def _drop(url: str) -> None:
    parsed = make_url(normalise_url(url))
    admin = make_engine(parsed.set(database="postgres").render_as_string(hide_password=False))
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
    admin.dispose()


def main() -> None:
    """Create the database, load it, run the rounds, print the figures, drop the database."""
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--url", default=DEFAULT_URL, help=f"PostgreSQL database to create (default {DEFAULT_URL})"
    )
    parser.add_argument(
        "--promises", type=int, default=1_000_000, help="open promises when the minute begins"
    )
    parser.add_argument("--due", type=int, default=20_000, help="promises turning at risk within the minute")
    parser.add_argument("--window", type=float, default=60.0, help="seconds the due moments spread over")
    parser.add_argument("--lead", type=float, default=10.0, help="seconds from writing them to the minute")
    parser.add_argument("--margin", type=float, default=30.0, help="seconds to wait after the minute at most")
    parser.add_argument("--minutes", type=int, default=3, help="rounds of the minute phase")
    parser.add_argument("--backlog", type=int, default=20_000, help="promises due at one instant")
    parser.add_argument("--backlog-lead", type=float, default=5.0)
    parser.add_argument("--backlogs", type=int, default=3, help="rounds of the backlog phase (each setup)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--poll", type=float, help="ATTENT_WORKER_POLL_SECONDS (default: the setting's)")
    parser.add_argument("--batch", type=int, help="ATTENT_PROMISE_BATCH (default: the setting's)")
    parser.add_argument("--orgs", type=int, default=4)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="leave the database for a look afterwards")
    args = parser.parse_args()
    name = make_url(normalise_url(args.url)).database or ""
    if not args.url.startswith("postgresql") or "bench" not in Path(name).name:
        raise SystemExit(
            "Give a PostgreSQL URL whose database name contains 'bench' (it is dropped at the end)."
        )
    ensure_database(args.url)
    print_machine(args.url)
    bench = Bench(args.url, args)
    try:
        bench.load()
        watch = CommitWatch(args.url)
        try:
            minutes = [bench.minute(watch, i + 1) for i in range(args.minutes)]
            backlogs: dict[int, list[Round]] = {args.workers: [], 1: []}
            for i in range(args.backlogs):
                for count in (args.workers, 1) if i % 2 == 0 else (1, args.workers):
                    backlogs[count].append(bench.backlog(watch, i + 1, count))
        finally:
            watch.close()
        _summary(minutes, backlogs)
    finally:
        bench.engine.dispose()
        if not args.keep:
            _drop(args.url)


if __name__ == "__main__":
    main()
