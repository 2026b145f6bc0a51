"""The coach's speed: 40-line contacts scored per second on one core, the cost per contact, and a profile.

    .venv/bin/python -m bench.coach [--contacts 2000] [--rounds 5] [--no-baseline]

Contacts are built from a pool of Dutch and English lines (with times, holds, promises and vague
words, so every rule has work), deterministic per seed. Scoring runs in one thread: one core. Each round
scores them in a fresh process with the compiled coach (`attent.coach.engine.native`) and then with the plain
modules (ATTENT_COACH_NATIVE=false), so the ratio between the two is measured on the same machine state.
"""

import argparse
import cProfile
import io
import json
import os
import pstats
import random
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime

from attent.coach.engine import score
from attent.coach.engine.native import running_compiled
from attent.coach.engine.rules import load_rules
from attent.coach.engine.transcript import Line, Transcript
from bench.machine import print_machine
from bench.stats import percentile

AGENT = [
    "Goedemorgen, met Sanne van Koffiecups, waarmee kan ik u helpen?",
    "Wat vervelend, en dat terwijl u morgen gasten heeft.",
    "Mag ik uw ordernummer? Dan zoek ik uw bestelling meteen op.",
    "Ik kijk nu in het systeem van de bezorger, dat duurt ongeveer twee minuten.",
    "Momentje.",
    "Ik stuur u vandaag nog een nieuwe, die heeft u morgen voor 12:00 in huis.",
    "Ik bel u binnen een kwartier terug met het antwoord van het magazijn.",
    "We regelen het zo snel mogelijk.",
    "Kan ik u verder nog ergens mee helpen?",
    "Good morning, you're speaking with Tom, how can I help?",
    "Oh no, a whole day off waiting for nothing, that's really frustrating.",
    "Could you give me your order number? Then I can pull up the shipment.",
    "I'm checking the courier's status now, that takes about a minute.",
    "I'll e-mail you the return label by Friday.",
    "The refund will be back on your card within three working days.",
    "Sorry for the inconvenience.",
    "Is there anything else I can help you with?",
    "Can I have your date of birth please?",
]
CUSTOMER = [
    "ja hoi, ehm, mijn pakketje is nooit aangekomen",
    "het is 4411-2087, geloof ik",
    "nou, ik heb er eigenlijk al twee keer over gebeld",
    "oké dank je, nee verder niks",
    "hi, my parcel never arrived and I took the day off for it",
    "it's BP4471902",
    "that's the third time now, honestly",
    "no that's all, thanks",
]
SYSTEM = ["[in de wacht]", "[on hold]"]


def contacts(n: int, lines: int, seed: int) -> list[Transcript]:
    """`n` contacts of `lines` lines each, alternating speakers, with the odd hold and long gap."""
    rng = random.Random(seed)
    start = datetime(2026, 3, 4, 9, 0, tzinfo=UTC)
    out = []
    for _ in range(n):
        t, made = 0.0, []
        for i in range(lines):
            roll = rng.random()
            if roll < 0.04:
                speaker, text = "system", rng.choice(SYSTEM)
            elif i % 2 == 0:
                speaker, text = "agent", rng.choice(AGENT)
            else:
                speaker, text = "customer", rng.choice(CUSTOMER)
            t += rng.choice((3, 5, 8, 12, 45))
            made.append(Line(speaker, text, t))
        out.append(Transcript(tuple(made), started_at=start, timezone="Europe/Amsterdam"))
    return out


def one_round(work: list[Transcript]) -> dict[str, float]:
    """Score every contact once in this process: contacts per wall second and per CPU second."""
    began, began_cpu = time.perf_counter(), time.process_time()
    for transcript in work:
        score(transcript)
    elapsed, cpu = time.perf_counter() - began, time.process_time() - began_cpu
    return {"wall": len(work) / elapsed, "cpu": len(work) / cpu, "compiled": running_compiled()}


def child_round(args: argparse.Namespace, *, compiled: bool) -> dict[str, float]:
    """One round in a fresh process, with the compiled coach or the plain modules."""
    command = [sys.executable, "-m", "bench.coach", "--child"]
    command += ["--contacts", str(args.contacts), "--lines", str(args.lines), "--seed", str(args.seed)]
    env = {**os.environ, "ATTENT_COACH_NATIVE": "true" if compiled else "false"}
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.splitlines()[-1])  # type: ignore[no-any-return]


def main() -> None:
    """Rounds of compiled and plain scoring, alternately, each in its own process; then the cost of one
    contact and a profile in this process."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--contacts", type=int, default=2000)
    parser.add_argument("--lines", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-baseline", action="store_true", help="skip the plain-Python rounds")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    load_rules()  # reading and compiling the rule book is a once-per-process cost, not per contact
    work = contacts(args.contacts, args.lines, args.seed)
    score(work[0])  # warm the compiled time grammars
    if args.child:
        print(json.dumps(one_round(work)))
        return
    print_machine()
    print(f"coach modules here: {'compiled (mypyc)' if running_compiled() else 'plain Python (not built)'}")
    kinds = [running_compiled()] + ([] if args.no_baseline or not running_compiled() else [False])
    results: dict[bool, list[dict[str, float]]] = {kind: [] for kind in kinds}
    for round_ in range(1, args.rounds + 1):
        for kind in kinds:
            got = child_round(args, compiled=kind)
            results[kind].append(got)
            name = "compiled" if got["compiled"] else "plain"
            print(
                f"round {round_} {name:>8}: {got['wall']:,.0f} contacts/s wall, "
                f"{got['cpu']:,.0f} per CPU second ({args.lines} lines each, one core)"
            )
    for kind, rounds in results.items():
        name = "compiled" if kind else "plain"
        wall, cpu = (statistics.median(r[key] for r in rounds) for key in ("wall", "cpu"))
        print(f"median {name}: {wall:,.0f} contacts/s, {cpu:,.0f} per CPU second (floor 1,000/s)")
    if len(kinds) == 2:
        ratios = [c["cpu"] / p["cpu"] for c, p in zip(results[True], results[False], strict=True)]
        print(f"compiled / plain, per CPU second, round by round: median x{statistics.median(ratios):.2f}")
    costs = []
    for transcript in work[:1000]:
        began = time.perf_counter()
        score(transcript)
        costs.append((time.perf_counter() - began) * 1000)
    costs.sort()
    print(
        f"one contact: median {statistics.median(costs):.3f} ms, p99 {percentile(costs, 99):.3f} ms "
        "(what the worker spends per ended contact; the request that ends it only enqueues the job)"
    )
    if running_compiled():
        print(
            "profile: cProfile cannot see into compiled code; "
            "ATTENT_COACH_NATIVE=false profiles the plain modules"
        )
        return
    profile = cProfile.Profile()
    profile.enable()
    for transcript in work[:500]:
        score(transcript)
    profile.disable()
    report = io.StringIO()
    pstats.Stats(profile, stream=report).sort_stats("tottime").print_stats(12)
    print("where the time goes (500 contacts, by own time):")
    print("\n".join(report.getvalue().splitlines()[:30]))


if __name__ == "__main__":
    main()
