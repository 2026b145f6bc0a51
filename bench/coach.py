"""The coach's speed: 40-line contacts scored per second on one core, the cost per contact, and a profile.

    .venv/bin/python -m bench.coach [--contacts 2000] [--rounds 5]

Contacts are built from a pool of Dutch and English lines (with times, holds, promises and vague
words, so every rule has work), deterministic per seed. Scoring runs in this one thread: one core.
"""

import argparse
import cProfile
import io
import pstats
import random
import statistics
import time
from datetime import UTC, datetime

from attent.coach.engine import score
from attent.coach.rules import load_rules
from attent.coach.transcript import Line, Transcript
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


def main() -> None:
    """Print throughput per round, the median, the per-contact cost and the top of a profile."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--contacts", type=int, default=2000)
    parser.add_argument("--lines", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    try:
        from bench.machine import print_machine

        print_machine()
    except ImportError:  # the coach is pure Python: it also runs where only the standard library is
        import os
        import platform

        cpu = platform.processor() or platform.machine()
        print(f"machine: {cpu}, {os.cpu_count()} cores, Python {platform.python_version()}")
    load_rules()  # reading and compiling the rule book is a once-per-process cost, not per contact
    work = contacts(args.contacts, args.lines, args.seed)
    score(work[0])  # warm the compiled time grammars
    rates, cpu_rates = [], []
    for round_ in range(1, args.rounds + 1):
        began, began_cpu = time.perf_counter(), time.process_time()
        for transcript in work:
            score(transcript)
        elapsed, cpu = time.perf_counter() - began, time.process_time() - began_cpu
        rates.append(len(work) / elapsed)
        cpu_rates.append(len(work) / cpu)
        print(
            f"round {round_}: {rates[-1]:,.0f} contacts/s wall, {cpu_rates[-1]:,.0f} per CPU second "
            f"({args.lines} lines each, one core)"
        )
    print(f"median: {statistics.median(rates):,.0f} contacts/s (floor 1,000/s)")
    print(
        f"median per CPU second: {statistics.median(cpu_rates):,.0f} "
        "(the same work counted in this process's own CPU time: less sensitive to a busy machine)"
    )
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
