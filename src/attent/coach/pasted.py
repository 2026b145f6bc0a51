"""A pasted transcript (`Agent: ...` / `Klant: ...` lines) read into the engine's `Transcript`.

The product's, not the engine's: reading what a person pasted ends in an error that person reads, in their
language (`attent.core.errors`), and the engine imports nothing from Attent.
"""

import re
from datetime import datetime

from attent.coach.engine import Line, Transcript, load_rules
from attent.core.errors import FieldError, Invalid

_STAMP = r"\[?\s*(?:(?P<h>\d{1,2}):)?(?P<m>\d{1,2}):(?P<s>\d{2})\s*\]?"
_LABEL = r"(?P<label>[^\W\d][\w .'-]{0,29}?)"
_LINE = re.compile(
    rf"^\s*(?:{_STAMP}\s*)?{_LABEL}\s*(?:{_STAMP.replace('?P<', '?P<x')}\s*)?:\s?(?P<text>.*)$"
)
_ONLY_LABEL_LIKE = re.compile(r"^\s*(?:\[?\s*\d{1,2}(?::\d{2}){1,2}\s*\]?\s*)?[^\W\d][\w'-]{0,19}\s*:")
# The labels themselves ("Klant", "Medewerker", ...) are the rule book's [speaker_labels] (common.toml).


def _seconds(match: re.Match[str], prefix: str = "") -> float | None:
    minutes = match.group(f"{prefix}m")
    if minutes is None:
        return None
    hours = match.group(f"{prefix}h") or 0
    return int(hours) * 3600 + int(minutes) * 60 + int(match.group(f"{prefix}s"))


def parse_text(text: str, *, started_at: datetime, timezone: str = "Europe/Amsterdam") -> Transcript:
    """Read `Agent:`/`Klant:`/`Customer:`/`Medewerker:` lines with optional `[mm:ss]` or `hh:mm:ss`
    stamps (time since the start); a line without a label continues the one before."""
    labels = load_rules().speaker_labels  # the rule book's [speaker_labels]
    lines: list[Line] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        match = _LINE.match(raw)
        label = match.group("label").strip().casefold() if match else None
        if match and label in labels:
            t = _seconds(match)
            t = t if t is not None else _seconds(match, "x")
            lines.append(Line(labels[label], match.group("text").strip(), t))
        elif _ONLY_LABEL_LIKE.match(raw) or not lines:
            shown = (match.group("label").strip() if match else raw.strip())[:40]
            raise Invalid(
                "unknown_speaker",
                "Line {number} has no speaker the coach knows (“{shown}”); start each line with "
                "Agent:, Medewerker:, Klant:, Customer: or Systeem:.",
                [FieldError(("text", number), "Unknown speaker label “{shown}”.", {"shown": shown})],
                number=number,
                shown=shown,
            )
        else:  # a wrapped line belongs to the turn above it
            last = lines[-1]
            lines[-1] = Line(last.speaker, f"{last.text} {raw.strip()}", last.t)
    return Transcript(tuple(lines), started_at=started_at, timezone=timezone)
