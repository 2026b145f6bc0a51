"""Check the coach corpus for shape errors before anyone trusts an F1 computed on it."""

import json
import sys
from collections import Counter
from datetime import datetime
from pathlib import Path

BEHAVIOURS = (
    "explains_why",
    "minimal_verification",
    "narrates",
    "no_silent_hold",
    "sets_expectation",
    "empathy",
    "recovery",
    "confirms_next_step",
    "closing_check",
)
VERDICTS = {"met", "missed", "na"}
SPEAKERS = {"agent", "customer", "system"}
CHANNELS = {"phone", "chat", "email"}
KINDS = {"callback", "follow_up", "delivery", "refund", "step", "other"}


def problems(path: Path) -> list[str]:
    """Every shape error in one contact file, each naming where it is."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        return [f"not JSON: {error}"]
    found: list[str] = []
    if doc.get("language") not in {"nl", "en"}:
        found.append("language must be nl or en")
    if doc.get("channel") not in CHANNELS:
        found.append(f"channel must be one of {sorted(CHANNELS)}")
    try:
        if datetime.fromisoformat(doc["started_at"]).tzinfo is None:
            found.append("started_at needs an offset")
    except (KeyError, ValueError):
        found.append("started_at missing or not ISO 8601")
    lines = doc.get("lines") or []
    if not lines:
        found.append("no lines")
    for index, line in enumerate(lines):
        if line.get("speaker") not in SPEAKERS:
            found.append(f"lines[{index}].speaker must be one of {sorted(SPEAKERS)}")
        if not isinstance(line.get("text"), str) or not line["text"].strip():
            found.append(f"lines[{index}].text empty")
        for behaviour, verdict in (line.get("labels") or {}).items():
            if behaviour not in BEHAVIOURS or verdict not in {"met", "missed"}:
                found.append(f"lines[{index}].labels.{behaviour}={verdict} is not a behaviour label")
    if doc.get("channel") in {"phone", "chat"} and any("t" not in line for line in lines):
        found.append("phone and chat lines need t")
    verdicts = doc.get("verdicts") or {}
    for behaviour in BEHAVIOURS:
        if verdicts.get(behaviour) not in VERDICTS:
            found.append(f"verdicts.{behaviour} missing or not met/missed/na")
    for index, promise in enumerate(doc.get("promises") or []):
        line = promise.get("line")
        if not isinstance(line, int) or not 0 <= line < len(lines) or lines[line].get("speaker") != "agent":
            found.append(f"promises[{index}].line must index an agent line")
        if promise.get("kind") not in KINDS:
            found.append(f"promises[{index}].kind must be one of {sorted(KINDS)}")
        try:
            if datetime.fromisoformat(promise["due"]).tzinfo is None:
                found.append(f"promises[{index}].due needs an offset")
        except (KeyError, ValueError):
            found.append(f"promises[{index}].due missing or not ISO 8601")
    return found


def main(root: Path) -> int:
    files = sorted(root.rglob("*.json"))
    bad = 0
    coverage: Counter[tuple[str, str, str]] = Counter()
    for path in files:
        found = problems(path)
        bad += bool(found)
        for problem in found:
            print(f"{path}: {problem}")
        if not found:
            doc = json.loads(path.read_text(encoding="utf-8"))
            for behaviour, verdict in doc["verdicts"].items():
                coverage[(doc["language"], behaviour, verdict)] += 1
    print(f"{len(files)} files, {bad} with problems")
    for language in ("nl", "en"):
        counts = (
            "/".join(str(coverage[(language, b, verdict)]) for verdict in ("met", "missed", "na"))
            for b in BEHAVIOURS
        )
        row = " ".join(f"{b}={count}" for b, count in zip(BEHAVIOURS, counts, strict=True))
        print(f"{language} met/missed/na: {row}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).parent)))
