"""Sequential GET latency of the handoff brief and the timeline, against baselines, on the real server.

    python -m bench.api_latency --url postgresql://postgres@127.0.0.1:5432/attent_bench

Targets: with 100,000 cases / 1,000,000 events, brief and timeline answer in under 20 ms at the
median and 50 ms at p99 (foundation issue); the case page in under 100 ms at p95 (workspace issue).
One keep-alive connection sends one request at a time to random loaded cases; each iteration
requests every endpoint once, in shuffled order, so noise hits the endpoints alike and the ratio to
the baseline (`GET /api/v1/agents/me`: auth plus a team lookup) holds. `static` (a file, no auth, no
database) is the floor of HTTP, middleware and this client.
"""

import argparse
import http.client
import random
import statistics
import sys
import time

from bench.loader import DEFAULT_URL, Fixture, Target, fixture
from bench.machine import CpuMeter, print_machine
from bench.server import Server
from bench.stats import Summary

TARGET_P50_MS, TARGET_P99_MS = 20.0, 50.0
TARGET_PAGE_P95_MS = 100.0
BASELINE = "me"
ENDPOINTS = {
    "static": "/static/attent.css",  # no auth, no database: the floor of HTTP plus this client
    "me": "/api/v1/agents/me",
    "brief": "/api/v1/cases/{id}/brief",
    "timeline": "/api/v1/cases/{id}/timeline",
    "case_page": "/cases/{id}",  # the workspace's case page: brief, customer, promises, timeline, forms
}
MAX_SECONDS_PER_ROUND = 300.0


def measure_round(
    client: http.client.HTTPConnection, targets: list[Target], rng: random.Random
) -> tuple[dict[str, list[float]], dict[str, int]]:
    """Latencies (ms) and error counts per endpoint, one request at a time, for each target."""
    times: dict[str, list[float]] = {name: [] for name in ENDPOINTS}
    errors = dict.fromkeys(ENDPOINTS, 0)
    names = list(ENDPOINTS)
    deadline = time.monotonic() + MAX_SECONDS_PER_ROUND
    for target in targets:
        if time.monotonic() > deadline:
            break
        headers = {"Authorization": f"Bearer {target.token}"}
        rng.shuffle(names)
        for name in names:
            path = ENDPOINTS[name].format(id=target.case_id)
            started = time.perf_counter()
            client.request("GET", path, headers=headers)
            response = client.getresponse()
            body = response.read()
            elapsed_ms = (time.perf_counter() - started) * 1000
            if response.status != 200:
                errors[name] += 1
                if errors[name] == 1:
                    print(f"  ! {name} {path}: {response.status} {body[:200]!r}")
                continue
            times[name].append(elapsed_ms)
    return times, errors


def run(
    url: str, *, requests: int, rounds: int, warmup: int, workers: int, access_log: bool, seed: int
) -> None:
    """Start the server, warm it up, measure `rounds` rounds and print per-round and median figures."""
    print_machine(url)
    data: Fixture = fixture(url, sample=requests * rounds + warmup, seed=seed)
    print(f"data:     {data.cases:,} cases, {data.events:,} events; {len(data.targets):,} sampled targets")
    rng = random.Random(seed)
    per_round: dict[str, list[Summary]] = {name: [] for name in ENDPOINTS}
    ratios: list[dict[str, float]] = []
    with Server(url, workers=workers, access_log=access_log) as server:
        print(f"server:   {server.describe()} at {server.base_url}")
        # http.client, not httpx: here httpx costs 0.8 ms more per request (1.4 against 0.6 ms on a
        # bare ASGI app), CPU taken from the server and PostgreSQL on a 2-core machine.
        print("client:   http.client (stdlib), one keep-alive connection, sequential requests")
        print("note:     client, server and PostgreSQL share the same cores; figures include the client\n")
        client = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30.0)
        try:
            measure_round(client, data.targets[:warmup], rng)
            for r in range(rounds):
                chunk = data.targets[warmup + r * requests : warmup + (r + 1) * requests]
                meter, cpu_before, started = CpuMeter(server.pid), time.process_time(), time.perf_counter()
                times, errors = measure_round(client, chunk, rng)
                elapsed = time.perf_counter() - started
                share = meter.stop(elapsed, client_cpu=time.process_time() - cpu_before)
                print(f"round {r + 1}/{rounds}: {elapsed:.1f} s; cpu: {share}")
                summaries = {name: Summary.of(values) for name, values in times.items()}
                for name, summary in summaries.items():
                    per_round[name].append(summary)
                    failed = f"  errors {errors[name]}" if errors[name] else ""
                    print(f"  {name:<10} {summary.row()}{failed}")
                ratios.append({name: s.p50 / summaries[BASELINE].p50 for name, s in summaries.items()})
        finally:
            client.close()
    _report(per_round, ratios)


def _report(per_round: dict[str, list[Summary]], ratios: list[dict[str, float]]) -> None:
    print(f"\n== median over {len(ratios)} rounds ==")
    medians = {name: Summary.median_of(rounds) for name, rounds in per_round.items()}
    for name, summary in medians.items():
        ratio = statistics.median(r[name] for r in ratios)
        print(f"  {name:<10} {summary.row()}  p50 = {ratio:.2f} x {BASELINE}")
    for name in ("brief", "timeline"):
        s = medians[name]
        verdict = "met" if s.p50 < TARGET_P50_MS and s.p99 < TARGET_P99_MS else "NOT met"
        print(f"target {name}: p50 < {TARGET_P50_MS:.0f} ms and p99 < {TARGET_P99_MS:.0f} ms: {verdict}")
    page = medians["case_page"]
    verdict = "met" if page.p95 < TARGET_PAGE_P95_MS else "NOT met"
    print(f"target case_page: p95 < {TARGET_PAGE_P95_MS:.0f} ms: {verdict}")


def main() -> None:
    """Parse arguments and run the benchmark."""
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]  # progress shows when piped
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--url", default=DEFAULT_URL, help="a database loaded by bench.loader")
    parser.add_argument(
        "--requests", type=int, default=1_000, help="targets per round (each gets every endpoint)"
    )
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=300)
    parser.add_argument("--workers", type=int, default=1, help="web processes")
    parser.add_argument(
        "--no-access-log", dest="access_log", action="store_false", help="ATTENT_ACCESS_LOG=false"
    )
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    run(
        args.url,
        requests=args.requests,
        rounds=args.rounds,
        warmup=args.warmup,
        workers=args.workers,
        access_log=args.access_log,
        seed=args.seed,
    )


if __name__ == "__main__":
    main()
