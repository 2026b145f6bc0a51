"""The coach's engine: reads one transcript and says, per behaviour, met, missed or n/a with the lines that
show it, and which promises were made. Pure: it imports nothing from the product around it (storage, pages,
API, cards: `attent.coach`) nor from any other domain of Attent, only the standard library and itself
(`tests/unit/test_architecture.py` checks it), so it can be compiled, benchmarked and read on its own.

The product imports it through this door. Every module here but this one, `native`, `build_native` and the
rule book's loader (`rules/`) is compiled with mypyc when `make native` built it from these sources.
"""

from attent.coach.engine.native import activate, describe

activate(__path__)  # the compiled modules, when built from these sources (see attent.coach.engine.native)

# The door: what the product (and the benchmarks) use. Imported after `activate`, so compiled when built.
from attent.coach.engine.due import BusinessHours  # noqa: E402
from attent.coach.engine.rules import RuleSet, load_rules  # noqa: E402
from attent.coach.engine.scorer import allowed_by_policy, score  # noqa: E402
from attent.coach.engine.transcript import SPEAKERS, Line, Transcript  # noqa: E402
from attent.coach.engine.verdicts import MET, MISSED, NA, PROMISE_KINDS, FoundPromise, Scorecard, Verdict  # noqa: E402

__all__ = [
    "MET",
    "MISSED",
    "NA",
    "PROMISE_KINDS",
    "SPEAKERS",
    "BusinessHours",
    "FoundPromise",
    "Line",
    "RuleSet",
    "Scorecard",
    "Transcript",
    "Verdict",
    "allowed_by_policy",
    "describe",
    "load_rules",
    "score",
]
