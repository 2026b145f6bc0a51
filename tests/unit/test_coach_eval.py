"""`attent coach eval`: the figures on a tiny corpus written here, and the gate on the repo's corpus."""

import json
from pathlib import Path

from typer.testing import CliRunner

from attent.cli import app
from attent.coach.evaluation import GATE, corpus_files, evaluate, read_contact

CORPUS = Path(__file__).resolve().parents[2] / "corpus" / "coach"
MIN_CONTACTS = 200
NINE = [
    "explains_why",
    "minimal_verification",
    "narrates",
    "no_silent_hold",
    "sets_expectation",
    "empathy",
    "recovery",
    "confirms_next_step",
    "closing_check",
]


def _contact(path: Path, lines, verdicts, promises=(), language="nl"):
    doc = {
        "id": path.stem,
        "language": language,
        "mixed": False,
        "channel": "phone",
        "started_at": "2026-03-04T10:00:00+01:00",
        "timezone": "Europe/Amsterdam",
        "lines": lines,
        "verdicts": {b: verdicts.get(b, "na") for b in NINE},
        "promises": list(promises),
    }
    path.write_text(json.dumps(doc), encoding="utf-8")


def _tiny(root: Path) -> None:
    (root / "nl").mkdir(parents=True)
    _contact(
        root / "nl" / "001-bel.json",
        [
            {"t": 0, "speaker": "customer", "text": "waar blijft mijn pakket"},
            {"t": 5, "speaker": "agent", "text": "Ik bel u binnen een kwartier terug.",
             "labels": {"sets_expectation": "met"}},
            {"t": 9, "speaker": "agent", "text": "Kan ik u verder nog ergens mee helpen?",
             "labels": {"closing_check": "met"}},
        ],
        {"sets_expectation": "met", "closing_check": "met", "confirms_next_step": "met"},
        [{"line": 1, "kind": "callback", "due": "2026-03-04T10:15:05+01:00"}],
    )  # fmt: skip
    _contact(
        root / "nl" / "002-vaag.json",
        [
            {"t": 0, "speaker": "customer", "text": "en nu?"},
            {"t": 5, "speaker": "agent", "text": "We regelen het zo snel mogelijk.",
             "labels": {"sets_expectation": "missed"}},
        ],
        {"sets_expectation": "missed", "closing_check": "missed", "confirms_next_step": "missed"},
    )  # fmt: skip


def test_eval_counts_met_and_missed_one_vs_rest_and_promises_by_line_kind_and_due(tmp_path):
    _tiny(tmp_path)
    report = evaluate(read_contact(p) for p in corpus_files(tmp_path))
    figures = report.as_json()
    assert figures["contacts"] == 2
    assert figures["behaviours"]["sets_expectation"]["f1"] == 1.0
    assert figures["behaviours"]["closing_check"]["f1"] == 1.0
    assert figures["promises"] == {"precision": 1.0, "recall": 1.0, "f1": 1.0}
    assert figures["language_accuracy"] == 1.0
    assert "mean of F1(met) and F1(missed)" in figures["definition"]


def test_eval_exits_non_zero_when_a_gated_f1_is_below_the_gate(tmp_path):
    _tiny(tmp_path)
    doc = json.loads((tmp_path / "nl" / "002-vaag.json").read_text())
    doc["verdicts"]["sets_expectation"] = "met"  # a label the rules disagree with
    (tmp_path / "nl" / "002-vaag.json").write_text(json.dumps(doc))
    result = CliRunner().invoke(app, ["coach", "eval", str(tmp_path), "--json"])
    assert result.exit_code == 1
    assert json.loads(result.stdout)["behaviours"]["sets_expectation"]["f1"] < GATE
    readable = CliRunner().invoke(app, ["coach", "eval", str(tmp_path)])
    assert "sets_expectation" in readable.stdout and "F1(met)" in readable.stdout


# Issue 5's gate: 0.85 for every behaviour and for promises, no exceptions.


def test_the_repos_corpus_passes_the_gate_for_every_behaviour_and_for_promises():
    files = corpus_files(CORPUS)
    assert len(files) >= MIN_CONTACTS, (
        f"corpus/coach holds {len(files)} contact files; the coach's gate needs at least {MIN_CONTACTS} "
        "(the lead merges the corpus branches into corpus/coach/nl and corpus/coach/en)."
    )
    report = evaluate(read_contact(p) for p in files)
    figures = report.as_json()
    f1 = {b: round(f["f1"], 3) for b, f in figures["behaviours"].items()}
    low = {b: v for b, v in f1.items() if v < GATE}
    assert not low, f"behaviours under {GATE}: {low}"
    assert set(f1) == set(NINE), f"the gate covers every behaviour, got {sorted(f1)}"
    assert figures["promises"]["f1"] >= GATE, f"promise extraction F1 {figures['promises']['f1']:.3f}"


def test_coach_score_prints_a_readable_scorecard_and_json(tmp_path):
    transcript = tmp_path / "call.txt"
    transcript.write_text(
        "[00:00] Customer: my parcel never arrived\n[00:06] Agent: Sorry for the inconvenience.\n"
        "[00:20] Agent: I'll call you back within 10 minutes. Anything else I can help with?\n",
        encoding="utf-8",
    )
    readable = CliRunner().invoke(
        app, ["coach", "score", str(transcript), "--started-at", "2026-03-04T10:00:00+01:00"]
    )
    assert readable.exit_code == 0, readable.stdout
    assert "empathy" in readable.stdout and "missed" in readable.stdout and "callback" in readable.stdout
    machine = CliRunner().invoke(
        app, ["coach", "score", str(transcript), "--json", "--started-at", "2026-03-04T10:00:00+01:00"]
    )
    body = json.loads(machine.stdout)
    assert body["promises"][0]["due_at"] == "2026-03-04T10:10:20+01:00"
    bad = tmp_path / "bad.txt"
    bad.write_text("Boss: hello", encoding="utf-8")
    refused = CliRunner().invoke(app, ["coach", "score", str(bad)])
    assert refused.exit_code == 1 and "Line 1" in refused.stdout


# Issue 20: the honest figure is on writers the coach was never tuned on (corpus/coach-heldout, one folder
# per writer). Its target (F1 0.85 and precision of `missed` 0.95 per behaviour) is not reached yet; until
# it is, these floors are a ratchet at the figures measured before any tuning on these writers (less 0.02
# for nothing but rounding slack), so a rule tuned on corpus/coach that makes the unseen writers worse
# fails here. Raise a floor when a change lifts its figure; never lower one.
HELDOUT = CORPUS.parent / "coach-heldout"
HELDOUT_FLOORS = {  # behaviour: (F1, precision of missed), measured 2026-12-07 on 200 contacts, 5 writers
    "explains_why": (0.725, 0.705),
    "minimal_verification": (0.826, 0.808),
    "narrates": (0.829, 0.701),
    "no_silent_hold": (0.903, 0.889),
    "sets_expectation": (0.858, 0.737),
    "empathy": (0.716, 0.612),
    "recovery": (0.590, 0.332),
    "confirms_next_step": (0.898, 0.877),
    "closing_check": (0.923, 0.885),
}
HELDOUT_PROMISES_FLOOR = 0.733


def test_the_held_out_writers_do_not_fall_below_their_floors():
    files = corpus_files(HELDOUT)
    writers = {path.relative_to(HELDOUT).parts[0] for path in files}
    assert len(files) >= 200 and len(writers) >= 5, f"{len(files)} held-out contacts by {sorted(writers)}"
    figures = evaluate(read_contact(p) for p in files).as_json()
    below = {
        behaviour: (round(found["f1"], 3), round(found["precision_missed"], 3))
        for behaviour, found in figures["behaviours"].items()
        if found["f1"] < HELDOUT_FLOORS[behaviour][0]
        or found["precision_missed"] < HELDOUT_FLOORS[behaviour][1]
    }
    assert set(figures["behaviours"]) == set(HELDOUT_FLOORS)
    assert not below, f"held-out writers below their floors (F1, P(missed)): {below}"
    assert figures["promises"]["f1"] >= HELDOUT_PROMISES_FLOOR
