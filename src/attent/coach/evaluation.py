"""`attent coach eval`: score every labelled contact of a corpus and compare with the labels.

Per behaviour, F1 is the macro average of the F1 of `met` and of `missed`, each one-vs-rest over all
contacts (so `na` counts only as "not this class"). A promise is a hit when the same line has one of the
same kind due within 5 minutes. Evidence lines and language are reported for information, not gated.
"""

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from attent.coach.engine import MET, MISSED, Line, Scorecard, Transcript, load_rules, score

GATE = 0.85
DUE_TOLERANCE = timedelta(minutes=5)
F1_DEFINITION = (
    "F1 per behaviour = mean of F1(met) and F1(missed), each one-vs-rest over all contacts; "
    "promises: hit = same line, same kind, due within 5 minutes."
)


@dataclass(frozen=True)
class Labelled:
    """One corpus contact: the transcript and what a careful team lead said about it."""

    name: str
    transcript: Transcript
    language: str
    mixed: bool
    verdicts: dict[str, str]
    line_labels: dict[tuple[int, str], str]
    promises: list[tuple[int, str, datetime]]


def read_contact(path: Path) -> Labelled:
    """Read one corpus file (see corpus/coach/README.md for the format)."""
    doc: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    lines = tuple(Line(line["speaker"], line["text"], line.get("t")) for line in doc["lines"])
    transcript = Transcript(
        lines,
        started_at=datetime.fromisoformat(doc["started_at"]),
        timezone=doc.get("timezone") or "Europe/Amsterdam",
        channel=doc.get("channel"),
    )
    labels = {
        (i, behaviour): verdict
        for i, line in enumerate(doc["lines"])
        for behaviour, verdict in (line.get("labels") or {}).items()
    }
    promises = [(p["line"], p["kind"], datetime.fromisoformat(p["due"])) for p in doc.get("promises") or []]
    return Labelled(
        doc.get("id") or path.stem,
        transcript,
        doc["language"],
        bool(doc.get("mixed")),
        doc["verdicts"],
        labels,
        promises,
    )


def corpus_files(root: Path) -> list[Path]:
    """Every contact file under a corpus folder, in a stable order."""
    return sorted(p for p in root.rglob("*.json") if p.is_file())


@dataclass
class Counts:
    """True positives, false positives and false negatives of one class."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, predicted: bool, actual: bool) -> None:
        """Count one decision."""
        self.tp += predicted and actual
        self.fp += predicted and not actual
        self.fn += actual and not predicted

    @property
    def precision(self) -> float:
        """Share of predictions that were right (1 when nothing was predicted and nothing was due)."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else float(self.fn == 0)

    @property
    def recall(self) -> float:
        """Share of the truth that was found (1 when there was nothing to find)."""
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else float(self.fp == 0)

    @property
    def f1(self) -> float:
        """Harmonic mean of precision and recall."""
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class Report:
    """The evaluation's figures and the contacts each behaviour got wrong."""

    contacts: int = 0
    per_class: dict[str, dict[str, Counts]] = field(default_factory=dict)
    promises: Counts = field(default_factory=Counts)
    evidence: Counts = field(default_factory=Counts)
    language_right: int = 0
    mixed_right: int = 0
    wrong: dict[str, list[str]] = field(default_factory=dict)
    promise_misses: list[str] = field(default_factory=list)

    def behaviour(self, name: str) -> dict[str, float]:
        """Macro precision, recall and F1 over `met` and `missed`."""
        met, missed = self.per_class[name][MET], self.per_class[name][MISSED]
        return {
            "precision": (met.precision + missed.precision) / 2,
            "recall": (met.recall + missed.recall) / 2,
            "f1": (met.f1 + missed.f1) / 2,
            "f1_met": met.f1,
            "f1_missed": missed.f1,
        }

    def passed(self) -> bool:
        """Whether every gated F1 reaches the gate."""
        return all(self.behaviour(b)["f1"] >= GATE for b in self.per_class) and self.promises.f1 >= GATE

    def as_json(self) -> dict[str, Any]:
        """The figures for machines."""
        return {
            "contacts": self.contacts,
            "definition": F1_DEFINITION,
            "gate": GATE,
            "passed": self.passed(),
            "behaviours": {b: self.behaviour(b) for b in self.per_class},
            "promises": _prf(self.promises),
            "evidence_lines": _prf(self.evidence),
            "language_accuracy": self.language_right / self.contacts if self.contacts else 0.0,
            "mixed_accuracy": self.mixed_right / self.contacts if self.contacts else 0.0,
        }


def _prf(c: Counts) -> dict[str, float]:
    return {"precision": c.precision, "recall": c.recall, "f1": c.f1}


def _match_promises(
    card: Scorecard, gold: list[tuple[int, str, datetime]], report: Report, name: str
) -> None:
    left = list(gold)
    for found in card.promises:
        hit = next(
            (
                g
                for g in left
                if g[0] == found.line and g[1] == found.kind and abs(g[2] - found.due) <= DUE_TOLERANCE
            ),
            None,
        )
        if hit is not None:
            left.remove(hit)
            report.promises.tp += 1
        else:
            report.promises.fp += 1
            report.promise_misses.append(
                f"{name}: extra line {found.line} {found.kind} {found.due.isoformat()}"
            )
    report.promises.fn += len(left)
    report.promise_misses += [f"{name}: missed line {g[0]} {g[1]} {g[2].isoformat()}" for g in left]


def evaluate(contacts: Iterable[Labelled]) -> Report:
    """Score every contact and count agreements with its labels."""
    behaviours = load_rules().behaviours
    report = Report(per_class={b: {MET: Counts(), MISSED: Counts()} for b in behaviours})
    for contact in contacts:
        card = score(contact.transcript)
        report.contacts += 1
        report.language_right += card.language == contact.language
        report.mixed_right += card.mixed == contact.mixed
        predicted_lines: set[tuple[int, str, str]] = set()
        for v in card.verdicts:
            gold = contact.verdicts.get(v.behaviour, "na")
            for cls in (MET, MISSED):
                report.per_class[v.behaviour][cls].add(v.result == cls, gold == cls)
            if v.result != gold:
                report.wrong.setdefault(v.behaviour, []).append(f"{contact.name}: {gold} -> {v.result}")
            if v.result in (MET, MISSED):
                predicted_lines |= {(i, v.behaviour, v.result) for i in v.lines}
        gold_lines = {(i, b, label) for (i, b), label in contact.line_labels.items()}
        report.evidence.tp += len(predicted_lines & gold_lines)
        report.evidence.fp += len(predicted_lines - gold_lines)
        report.evidence.fn += len(gold_lines - predicted_lines)
        _match_promises(card, contact.promises, report, contact.name)
    return report
