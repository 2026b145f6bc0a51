"""What the coach says about one contact: per behaviour met/missed/na with evidence lines and a reason."""

from dataclasses import dataclass, field
from datetime import datetime

MET, MISSED, NA = "met", "missed", "na"
PROMISE_KINDS = ("callback", "follow_up", "delivery", "refund", "step", "other")


@dataclass(frozen=True)
class Verdict:
    """One behaviour's result; `lines` are 0-based indices into the transcript, `reason` per language."""

    behaviour: str
    result: str
    lines: tuple[int, ...]
    reason_nl: str
    reason_en: str

    def reason(self, language: str) -> str:
        """The one-line reason in Dutch or English."""
        return self.reason_nl if language == "nl" else self.reason_en


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
    """'3, 7 en 9' style list of 1-based line numbers for a reason (language-neutral digits)."""
    return ", ".join(str(i + 1) for i in lines)


def verdict(name: str, result: str, lines: list[int], nl: str, en: str) -> Verdict:
    """A verdict with its evidence lines sorted and each named once."""
    return Verdict(name, result, tuple(sorted(set(lines))), nl, en)
