"""Insight dashboard speed on PostgreSQL: every query `/insight` runs, for one team and a quarter and for
the whole organisation and a year, against a baseline measured in the same run.

    .venv/bin/python -m bench.insight --url postgresql://postgres@127.0.0.1:5432/attent_bench --load 100000

`--load N` resets the database and loads N cases with `bench.loader` (contacts, messages, 10 timeline
events a case on average), then adds 30,000 answered surveys and a promise for every third resolved
case. Without it, a database loaded before is used (surveys and promises are added once). Target
(issue 18): p95 < 300 ms for one team and a quarter, < 1 s for the organisation and a year.

The worker's daily roll-ups are built first (timed: the first refresh rolls up every closed day), so the
dashboard reads them for closed days and the live queries for today, as in production; `--live` drops
them, so every figure comes from the live queries (the figures before the roll-ups existed).
"""

import argparse
import random
import statistics
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, delete, func, select, text
from sqlalchemy.orm import Session

from attent.agents import Agent, Role, TeamMembership
from attent.cases import Case, CaseStatus
from attent.core.db import Base, insert_many, make_engine
from attent.core.ids import uuid7
from attent.insight import dashboard, rollups
from attent.insight.models import DailyFigure, RollupState, Survey, SurveyState
from attent.insight.service import MEASURES, scope_for
from attent.organisations import Organisation
from attent.promises import Promise, PromiseKind, PromiseState
from bench.loader import analyze, load, reset
from bench.machine import print_machine
from bench.stats import percentile


def add_surveys_and_promises(session: Session, surveys: int, seed: int) -> None:
    """Answered surveys on resolved cases, and a promise (mostly kept) on every third resolved case."""
    if session.scalar(select(func.count()).select_from(Survey)):
        return
    rng = random.Random(seed)
    resolved = session.execute(
        select(
            Case.organisation_id, Case.id, Case.customer_id, Case.resolved_at, Case.owner_id, Case.team_id
        ).where(Case.status.in_([CaseStatus.RESOLVED, CaseStatus.CLOSED]), Case.resolved_at.is_not(None))
    ).all()
    rng.shuffle(resolved)
    rows = []
    for org, case_id, customer_id, at, _owner, _team in resolved[:surveys]:
        rows.append(
            {"organisation_id": org, "id": uuid7(), "case_id": case_id, "customer_id": customer_id,
             "resolved_at": at, "due_at": at + timedelta(days=1), "state": SurveyState.ANSWERED,
             "skip_reason": None, "token_hash": None, "sent_at": at + timedelta(days=1),
             "expires_at": at + timedelta(days=31), "answered_at": at + timedelta(days=1, hours=3),
             "csat": rng.choice([1, 2, 3, 4, 4, 5, 5, 5]), "ces": rng.randint(2, 7),
             "comment": None, "created_at": at}
        )  # fmt: skip
    insert_many(session, Survey, rows)
    promises = []
    for org, case_id, customer_id, at, owner, team in resolved[::3]:
        made = at - timedelta(hours=rng.randint(2, 48))
        due = made + timedelta(hours=4)
        state = rng.choice([PromiseState.KEPT] * 8 + [PromiseState.BROKEN, PromiseState.CANCELLED])
        promises.append(
            {"organisation_id": org, "id": uuid7(), "case_id": case_id, "customer_id": customer_id,
             "kind": PromiseKind.CALLBACK, "state": state, "due_by": due,
             "at_risk_at": due - timedelta(hours=1), "grace_until": due + timedelta(minutes=30),
             "owner_id": owner, "team_id": team, "made_at": made,
             "closed_at": due + timedelta(minutes=rng.randint(-120, 60)), "at_risk": False,
             "tell_customer": False, "source": "agent"}
        )  # fmt: skip
    insert_many(session, Promise, promises)
    session.commit()
    print(f"added {len(rows):,} answered surveys and {len(promises):,} promises", flush=True)


def prepare_rollups(engine: Engine, *, live: bool) -> None:
    """Drop the roll-ups (`live`), or build them for every organisation as the worker's first look does."""
    Base.metadata.create_all(engine, tables=[DailyFigure.__table__, RollupState.__table__])
    with Session(engine) as session:
        session.execute(delete(RollupState))
        session.execute(delete(DailyFigure))
        session.commit()
        if live:
            return
        now = datetime.now(UTC)
        for org_id in list(session.scalars(select(Organisation.id))):
            started, days, looks = time.perf_counter(), 0, []
            while True:  # the worker's first looks: a month of days each
                look = time.perf_counter()
                done = rollups.refresh(
                    db=session, organisation_id=org_id, measures=MEASURES.values(), now=now, real_now=now
                )
                session.commit()
                if not done:
                    break
                days += done
                looks.append(time.perf_counter() - look)
            print(
                f"rolled up {days} days of {org_id} in {time.perf_counter() - started:.1f} s "
                f"({len(looks)} looks, the longest {max(looks, default=0):.1f} s)",
                flush=True,
            )
        rows = session.scalar(select(func.count()).select_from(DailyFigure))
        print(f"roll-up rows: {rows:,}", flush=True)
        # a later refresh with nothing changed: what the worker pays every half minute
        started = time.perf_counter()
        for org_id in session.scalars(select(Organisation.id)):
            rollups.refresh(
                db=session,
                organisation_id=org_id,
                measures=MEASURES.values(),
                now=now + timedelta(minutes=1),
                real_now=datetime.now(UTC),
                force=True,
            )
        session.commit()
        print(f"a refresh with nothing changed: {(time.perf_counter() - started) * 1000:.0f} ms", flush=True)


def timed(session: Session, work: object, iterations: int) -> list[float]:
    """Milliseconds per call of `work()`, each call in a fresh transaction."""
    out = []
    for _ in range(iterations):
        started = time.perf_counter()
        work()  # type: ignore[operator]
        out.append((time.perf_counter() - started) * 1000)
        session.rollback()
    return sorted(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--load", type=int, default=0, help="reset and load this many cases first")
    parser.add_argument("--surveys", type=int, default=30_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--iterations", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--live", action="store_true", help="no roll-ups: the live queries only")
    parser.add_argument("--reuse", action="store_true", help="keep roll-ups built by an earlier run")
    args = parser.parse_args()
    print_machine(args.url)
    if args.load:
        reset(args.url)
        started = time.perf_counter()
        load(args.url, cases=args.load)
        print(f"loaded {args.load:,} cases in {time.perf_counter() - started:.0f} s", flush=True)
    engine = make_engine(args.url)
    with Session(engine) as session:
        add_surveys_and_promises(session, args.surveys, args.seed)
    if not args.reuse:
        prepare_rollups(engine, live=args.live)
    analyze(engine)
    with Session(engine) as session:
        counts = {
            t: session.scalar(text(f"SELECT count(*) FROM {t}"))
            for t in ("cases", "contacts", "timeline_events", "promises", "surveys")
        }
        print("rows:", ", ".join(f"{t} {n:,}" for t, n in counts.items()))
        biggest = session.execute(
            select(Case.organisation_id, func.count())
            .group_by(Case.organisation_id)
            .order_by(func.count().desc())
        ).first()
        assert biggest is not None
        org_id = biggest[0]
        admin = session.scalar(select(Agent).where(Agent.organisation_id == org_id, Agent.role == Role.ADMIN))
        lead = session.scalar(select(Agent).where(Agent.organisation_id == org_id, Agent.role == Role.LEAD))
        assert admin is not None
        assert lead is not None
        team_id = session.scalar(
            select(TeamMembership.team_id).where(
                TeamMembership.organisation_id == org_id, TeamMembership.agent_id == lead.id
            )
        )
        now = datetime.now(UTC)
        team_quarter = scope_for(db=session, actor=lead, now=now, team_id=team_id)
        team_quarter = replace(
            team_quarter, first_day=team_quarter.last_day - timedelta(days=90), group_by="week"
        )
        org_year = scope_for(db=session, actor=admin, now=now)
        org_year = replace(org_year, first_day=org_year.last_day - timedelta(days=364), group_by="month")
        baseline_sql = select(func.count()).select_from(Case).where(Case.organisation_id == org_id)
        cases = {
            "baseline (count the organisation's cases)": lambda: session.scalar(baseline_sql),
            "team, quarter (every /insight query)": lambda: dashboard.build(session, team_quarter),
            "organisation, year (every /insight query)": lambda: dashboard.build(session, org_year),
        }
        for work in cases.values():  # warm up: plans, caches
            timed(session, work, 2)
        results: dict[str, list[tuple[float, float]]] = {name: [] for name in cases}
        for round_ in range(args.rounds):
            for name, work in cases.items():
                ms = timed(session, work, args.iterations)
                p50, p95 = percentile(ms, 50), percentile(ms, 95)
                results[name].append((p50, p95))
                print(f"round {round_ + 1} {name}: p50 {p50:.1f} ms, p95 {p95:.1f} ms", flush=True)
        base = statistics.median(p50 for p50, _ in results[next(iter(cases))])
        print("\nmedian over rounds:")
        for name, values in results.items():
            p50 = statistics.median(v[0] for v in values)
            p95 = statistics.median(v[1] for v in values)
            print(f"  {name}: p50 {p50:.1f} ms, p95 {p95:.1f} ms ({p50 / base:.1f}x baseline)")
    engine.dispose()


if __name__ == "__main__":
    main()
