"""What the coach says about one contact: per behaviour met/missed/na with evidence lines and a reason."""

from dataclasses import dataclass, field
from datetime import datetime

MET, MISSED, NA = "met", "missed", "na"
PROMISE_KINDS = ("callback", "follow_up", "delivery", "refund", "step", "other")


@dataclass(frozen=True)
class Verdict:
    """One behaviour's result; `lines` are 0-based indices into the transcript.

    `reason` is a catalog message (the English sentence, with {placeholders}) and `values` fill it in: the
    engine says why in words a translator can see, and the product says it in the reader's language
    (`attent.coach.schemas.say_reason`; the Dutch is in `locales/nl/.../messages.po`)."""

    behaviour: str
    result: str
    lines: tuple[int, ...]
    reason: str
    values: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class FoundPromise:
    """A commitment the agent made, with the moment it falls due and the words they used."""

    line: int
    kind: str
    due: datetime
    words: str


@dataclass(frozen=True)
class Scorecard:
    """The coach's result for one contact."""

    language: str
    mixed: bool
    verdicts: tuple[Verdict, ...]
    promises: tuple[FoundPromise, ...]
    line_languages: tuple[str, ...] = field(default=())

    def verdict(self, behaviour: str) -> Verdict:
        """The verdict for one behaviour."""
        return next(v for v in self.verdicts if v.behaviour == behaviour)

    @property
    def met(self) -> int:
        """How many behaviours were met."""
        return sum(v.result == MET for v in self.verdicts)

    @property
    def applicable(self) -> int:
        """How many behaviours applied (met or missed)."""
        return sum(v.result != NA for v in self.verdicts)


def lines_text(lines: tuple[int, ...] | list[int]) -> str:
    """'3, 7, 9': the 1-based line numbers a reason names (digits and commas read alike in both languages)."""
    return ", ".join(str(i + 1) for i in lines)


def verdict(name: str, result: str, evidence: list[int], reason: str, **values: str) -> Verdict:
    """A verdict with its evidence lines sorted and each named once, and its reason's catalog message.

    `pybabel extract` takes the reason as this call's fourth argument (the Makefile's BABEL_KEYWORDS and
    tests/unit/test_i18n.py know `verdict:4`), so every reason is in the catalogs."""
    return Verdict(name, result, tuple(sorted(set(evidence))), reason, tuple(values.items()))
