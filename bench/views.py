"""The case queue on the real server: a filtered, sorted view page's latency, and a bulk action on 500 cases.

    python -m bench.views --url postgresql://postgres@127.0.0.1:5432/attent_bench

Targets (issue 17): with 100,000 cases, a filtered, sorted view page answers in under 100 ms at p95,
and a bulk action on 500 cases takes under 2 s. One keep-alive connection sends one request at a time,
as the bench organisation's agent (`bench.loader.fixture`); each iteration requests every path once,
in shuffled order, against the baseline `GET /api/v1/agents/me` (auth plus a team lookup). The bulk
action puts a tag on 500 sampled cases and takes it off again, then assigns them, each a 500-case
transaction with 500 timeline events.
"""

import argparse
import http.client
import json
import random
import statistics
import sys
import time
from collections import Counter

from bench.loader import DEFAULT_URL, fixture
from bench.machine import print_machine
from bench.server import Server
from bench.stats import Summary

TARGET_PAGE_P95_MS, TARGET_BULK_S = 100.0, 2.0
BASELINE = "me"
PATHS = {
    "me": "/api/v1/agents/me",
    "page_default": "/cases",  # the queue page: soonest promise first
    "page_open_waiting": "/cases?status=open&sort=waiting",
    "page_nobody_activity": "/cases?owner=nobody&status=new&status=open&sort=activity",
    "page_at_risk": "/cases?promise=at_risk",
    "page_tag": "/cases?tag=bench&sort=created",
    "api_open_waiting": "/api/v1/cases?status=open&sort=waiting&limit=50",
}
BULK_SIZE = 500


def _get(client: http.client.HTTPConnection, path: str, token: str) -> tuple[int, float]:
    started = time.perf_counter()
    client.request("GET", path, headers={"Authorization": f"Bearer {token}"})
    response = client.getresponse()
    response.read()
    return response.status, (time.perf_counter() - started) * 1000


def _post(client: http.client.HTTPConnection, path: str, token: str, body: dict) -> tuple[int, float, bytes]:
    started = time.perf_counter()
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    client.request("POST", path, body=json.dumps(body), headers=headers)
    response = client.getresponse()
    data = response.read()
    return response.status, time.perf_counter() - started, data


def run(url: str, *, requests: int, rounds: int, warmup: int, bulk_rounds: int, seed: int) -> None:
    """Start the server, measure the view pages round by round, then the bulk actions; print medians."""
    print_machine(url)
    data = fixture(url, sample=4_000, seed=seed)
    token, _ = Counter(t.token for t in data.targets).most_common(1)[0]  # the biggest organisation's agent
    ids = [str(t.case_id) for t in data.targets if t.token == token]
    print(f"data:     {data.cases:,} cases, {data.events:,} events; {len(ids):,} sampled cases of one org")
    rng = random.Random(seed)
    per_round: dict[str, list[Summary]] = {name: [] for name in PATHS}
    ratios: list[dict[str, float]] = []
    with Server(url) as server:
        print(f"server:   {server.describe()} at {server.base_url}\n")
        client = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60.0)
        try:
            client.request("GET", PATHS["me"], headers={"Authorization": f"Bearer {token}"})
            me = json.loads(client.getresponse().read())
            names = list(PATHS)
            for _ in range(warmup):
                for name in names:
                    _get(client, PATHS[name], token)
            for r in range(rounds):
                times: dict[str, list[float]] = {name: [] for name in PATHS}
                for _ in range(requests):
                    rng.shuffle(names)
                    for name in names:
                        status, ms = _get(client, PATHS[name], token)
                        if status != 200:
                            print(f"  ! {name}: {status}")
                            continue
                        times[name].append(ms)
                summaries = {name: Summary.of(v) for name, v in times.items()}
                print(f"round {r + 1}/{rounds}")
                for name, summary in summaries.items():
                    per_round[name].append(summary)
                    print(f"  {name:<22} {summary.row()}")
                ratios.append({n: s.p50 / summaries[BASELINE].p50 for n, s in summaries.items()})
            bulk: dict[str, list[float]] = {"add_tag": [], "remove_tag": [], "assign": []}
            batch = ids[:BULK_SIZE]
            for r in range(bulk_rounds):
                for action, extra in (
                    ("add_tag", {"tag": "bench"}),
                    ("remove_tag", {"tag": "bench"}),
                    ("assign", {"owner_id": me["id"] if r % 2 == 0 else None}),
                ):
                    body = {"case_ids": batch, "action": action, **extra}
                    status, seconds, answer = _post(client, "/api/v1/cases/bulk", token, body)
                    if status != 200:
                        print(f"  ! bulk {action}: {status} {answer[:300]!r}")
                        continue
                    bulk[action].append(seconds)
                print(
                    f"bulk round {r + 1}/{bulk_rounds}: "
                    + ", ".join(f"{a} {v[-1]:.2f} s" for a, v in bulk.items() if v)
                )
        finally:
            client.close()
    print(f"\n== median over {rounds} rounds ==")
    medians = {name: Summary.median_of(rs) for name, rs in per_round.items()}
    for name, summary in medians.items():
        ratio = statistics.median(r[name] for r in ratios)
        print(f"  {name:<22} {summary.row()}  p50 = {ratio:.2f} x {BASELINE}")
    worst = max(s.p95 for n, s in medians.items() if n.startswith("page_"))
    verdict = "met" if worst < TARGET_PAGE_P95_MS else "NOT met"
    print(f"target view page: p95 < {TARGET_PAGE_P95_MS:.0f} ms: {verdict} (worst p95 {worst:.1f} ms)")
    for action, values in bulk.items():
        if values:
            m = statistics.median(values)
            print(f"  bulk {action:<10} {BULK_SIZE} cases: median {m:.2f} s, max {max(values):.2f} s")
    slowest = max((statistics.median(v) for v in bulk.values() if v), default=float("nan"))
    verdict = "met" if slowest < TARGET_BULK_S else "NOT met"
    print(f"target bulk on {BULK_SIZE} cases < {TARGET_BULK_S:.0f} s: {verdict}")


def main() -> None:
    """Parse arguments and run the benchmark."""
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--url", default=DEFAULT_URL, help="a database loaded by bench.loader")
    parser.add_argument(
        "--requests", type=int, default=100, help="iterations per round (each requests every path)"
    )
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--bulk-rounds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    run(
        args.url,
        requests=args.requests,
        rounds=args.rounds,
        warmup=args.warmup,
        bulk_rounds=args.bulk_rounds,
        seed=args.seed,
    )


if __name__ == "__main__":
    main()
