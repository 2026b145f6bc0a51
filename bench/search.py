"""Search latency: one- and two-word queries, names, e-mail addresses, phone numbers and order numbers.

Calls `attent.search.service.search` in this process, as the search page does (all four kinds, 10
results each), as an ordinary agent of the largest organisation (visible cases: the agent's two
teams, as in the case list), one query at a time, after a warm-up. Queries are drawn from the
loaded data: words the stories' texts use, customers' names, e-mail addresses, phone numbers written
the Dutch way ("06-12345678" for "+31 6 12345678") and the digits of shop references ("C-0012345"
searched as "12345"). Prints p50/p95/p99 per category and round, the median over rounds, and the
sizes of the search indexes.

    .venv/bin/python -m bench.search --url postgresql://postgres@127.0.0.1:5432/attent_bench_search --load
    .venv/bin/python -m bench.search --url sqlite:////tmp/attent_bench_search.db --load --cases 10000
"""

import argparse
import random
import time
import uuid

from sqlalchemy import select, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from attent import wiring
from attent.agents import Agent
from attent.core.db import Database
from attent.customers import Customer, CustomerRef
from attent.organisations import Organisation
from attent.search.service import search
from bench.loader import load, reset
from bench.machine import print_machine
from bench.stats import Summary

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/attent_bench_search"
# Words of the loaded texts (bench/texts.py), in other forms than written ("bestellingen", "terugbelt"),
# rare and common, and a few that are in no text: searches that find nothing cost time too.
ONE_WORD = [
    "bestellingen",
    "bezorger",
    "terugbellen",
    "zending",
    "abonnement",
    "capsules",
    "refund",
    "technicus",
    "speaker",
    "koffie",
    "ontkalken",
    "lockbox",
    "buren",
    "afdichtring",
    "carrier",
    "pakket",
    "kapot",
]
TWO_WORDS = ["nieuwe zending", "bestelling aangekomen", "refund take", "right capsules", "technicus advies",
             "geld terug", "abonnement pauzeren", "called back", "geen gehoor", "pakket kwijt"]  # fmt: skip


def _queries(db: Session, org_id: object, rng: random.Random, n: int) -> dict[str, list[str]]:
    """Queries drawn from the organisation's data, read in the search's own session (on SQLite every
    transaction takes the one write lock, so a second connection would wait)."""
    customers = db.execute(
        select(Customer.id, Customer.name, Customer.email, Customer.phone)
        .where(Customer.organisation_id == org_id)
        .order_by(Customer.id)
        .limit(5_000)
    ).all()
    refs = db.scalars(
        select(CustomerRef.value)
        .where(CustomerRef.organisation_id == org_id)
        .order_by(CustomerRef.value)
        .limit(5_000)
    ).all()
    picked = rng.sample(customers, min(n, len(customers)))
    return {
        "baseline": [str(c.id) for c in picked],  # a customer's name by primary key: one round trip
        "one word": [rng.choice(ONE_WORD) for _ in range(n)],
        "two words": [rng.choice(TWO_WORDS) for _ in range(n)],
        "name": [c.name if rng.random() < 0.5 else c.name.split()[-1] for c in picked],
        "e-mail": [c.email for c in picked],
        "phone": ["0" + c.phone.removeprefix("+31 ").replace(" ", "-", 1) for c in picked if c.phone],
        "order number": [rng.choice(refs).split("-")[-1][-5:] for _ in range(n)],
    }


def _index_sizes(engine: Engine) -> list[tuple[str, int]]:
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            rows = conn.execute(
                text(
                    "SELECT c.relname, pg_relation_size(c.oid) FROM pg_class c"
                    " WHERE c.relkind = 'i' AND c.relname LIKE 'search\\_%' ORDER BY 1"
                )
            ).all()
            extra = []
            for table in ("customers", "cases", "messages", "notes"):
                size = conn.scalar(
                    text(f"SELECT coalesce(sum(pg_column_size(search_vector)), 0) FROM {table}")
                )
                extra.append((f"{table}.search_vector (column)", int(size)))
            return [(name, int(size)) for name, size in rows] + extra
        try:
            rows = conn.execute(
                text(
                    "SELECT name, sum(pgsize) FROM dbstat WHERE name LIKE 'search_%'"
                    " GROUP BY name ORDER BY name"
                )
            ).all()
            return [(name, int(size)) for name, size in rows]
        except Exception:  # a SQLite built without dbstat
            return []


def main() -> None:
    """Load (optionally), then measure each category's latency over several rounds."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--url", default=DEFAULT_URL)
    parser.add_argument("--load", action="store_true", help="(re)load the data set first")
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--events-per-case", type=int, default=17, help="17: about 10 messages a case")
    parser.add_argument("--queries", type=int, default=200, help="per category and round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args()

    wiring.install()  # the verification domain says which customer details are hidden
    print_machine(args.url)
    if args.load:
        started = time.perf_counter()
        reset(args.url)
        load(args.url, cases=args.cases, events_per_case=args.events_per_case, cases_per_customer=1.0)
        print(f"loaded in {time.perf_counter() - started:.0f} s")
    database = Database.from_url(args.url)
    engine = database.engine
    with engine.connect() as conn:
        counts = {
            t: conn.scalar(text(f"SELECT count(*) FROM {t}"))
            for t in ("customers", "cases", "messages", "notes", "customer_refs")
        }
    print("== data ==")
    print(", ".join(f"{t} {n:,}" for t, n in counts.items()))

    rng = random.Random(args.seed)
    with database.sessions() as db:
        org = db.scalars(select(Organisation).order_by(Organisation.created_at, Organisation.id)).first()
        assert org is not None, "no data: run with --load"
        agent = db.scalars(
            select(Agent).where(Agent.organisation_id == org.id, Agent.email.like("bench.agent@%"))
        ).one()
        queries = _queries(db, org.id, rng, args.queries)
        print(f"as {agent.email} ({agent.role.value}) in {org.slug}")

        def run(q: str) -> object:
            results = search(db=db, actor=agent, q=q, limit=10)
            db.rollback()  # a fresh transaction per search, as a request has
            return results

        for q in ONE_WORD[:20]:  # warm-up: caches, statement compilation, the planner's first plans
            run(q)
        per_category: dict[str, list[Summary]] = {k: [] for k in queries}
        found: dict[str, int] = {k: 0 for k in queries}
        for r in range(args.rounds):
            print(f"== round {r + 1} ==")
            for category, qs in queries.items():
                times = []
                for q in qs:
                    started = time.perf_counter()
                    if category == "baseline":
                        by_key = Customer.organisation_id == org.id, Customer.id == uuid.UUID(q)
                        hit = db.execute(select(Customer.name).where(*by_key)).first() is not None
                    else:
                        hit = any(g.items for g in search(db=db, actor=agent, q=q, limit=10).groups)
                    times.append((time.perf_counter() - started) * 1000)
                    db.rollback()
                    found[category] += hit
                summary = Summary.of(times)
                per_category[category].append(summary)
                print(f"{category:13} n={summary.n:4}  p50 {summary.p50:7.2f} ms  p95 {summary.p95:7.2f} ms"
                      f"  p99 {summary.p99:7.2f} ms  max {summary.max:7.2f} ms")  # fmt: skip
        print("== median over rounds (x baseline: p50 as a multiple of the baseline's p50) ==")
        base = Summary.median_of(per_category["baseline"]).p50
        for category, summaries in per_category.items():
            median = Summary.median_of(summaries)
            share = found[category] / max(1, args.rounds * len(queries[category]))
            print(f"{category:13} p50 {median.p50:7.2f} ms  p95 {median.p95:7.2f} ms"
                  f"  p99 {median.p99:7.2f} ms  x{median.p50 / base:5.1f}"
                  f"  (found something for {share:.0%})")  # fmt: skip
    print("== index sizes ==")
    for name, size in _index_sizes(engine):
        print(f"{name:45} {size / 1024 / 1024:9.1f} MiB")
    engine.dispose()


if __name__ == "__main__":
    main()
