"""The compiled coach: used only when it was built from the sources on disk, and it scores as they do."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from attent.coach.engine import score
from attent.coach.engine.native import (
    COMPILED,
    PACKAGE,
    STAMP,
    activate,
    describe,
    enabled,
    fingerprint,
    running_compiled,
    up_to_date,
)
from attent.coach.evaluation import corpus_files, read_contact
from attent.coach.schemas import scorecard_json
from bench.coach import contacts

ROOT = Path(__file__).resolve().parents[2]
REQUIRED = os.environ.get("ATTENT_REQUIRE_NATIVE") == "1"  # `make test` and CI: the build must be there


@pytest.fixture
def package(tmp_path: Path) -> Path:
    """A copy of the compiled modules' sources, to edit."""
    copy = tmp_path / "coach"
    copy.mkdir()
    for name in COMPILED:
        shutil.copy(PACKAGE / f"{name}.py", copy / f"{name}.py")
    return copy


def test_the_fingerprint_changes_with_any_compiled_source(package: Path) -> None:
    before = fingerprint(package)
    assert before == fingerprint(PACKAGE)
    for name in ("scorer", "timewords"):
        source = package / f"{name}.py"
        original = source.read_bytes()
        source.write_bytes(original + b"\n")
        assert fingerprint(package) != before, name
        source.write_bytes(original)
    assert fingerprint(package) == before


def test_a_build_is_used_only_while_it_matches_the_sources(
    package: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ATTENT_COACH_NATIVE", raising=False)
    build = tmp_path / "build"
    path: list[str] = ["sources"]
    assert not activate(path, build, package)  # nothing built
    build.mkdir()
    (build / STAMP).write_text(fingerprint(package) + "\n", encoding="ascii")
    assert activate(path, build, package)
    assert path == [str(build / "attent" / "coach" / "engine"), "sources"]

    (package / "reading.py").write_text("# edited after the build\n", encoding="utf-8")
    assert not up_to_date(build, package)
    assert not activate(path := ["sources"], build, package)
    assert path == ["sources"]

    (build / STAMP).write_text(fingerprint(package) + "\n", encoding="ascii")
    monkeypatch.setenv("ATTENT_COACH_NATIVE", "false")
    assert not activate(path, build, package)


def _require_build() -> None:
    if not (enabled() and up_to_date()):
        if REQUIRED:
            pytest.fail("the compiled coach is off, missing or stale: run `make install`")
        pytest.skip("the compiled coach is off or not built here (`make install` builds it)")


def test_this_process_scores_with_the_compiled_modules() -> None:
    _require_build()
    assert running_compiled()
    import attent.coach.engine.reading

    assert attent.coach.engine.reading.__file__ is not None
    assert not attent.coach.engine.reading.__file__.endswith(".py")
    assert describe().startswith("coach: compiled modules from ")


def test_the_log_says_why_the_coach_runs_plain(monkeypatch: pytest.MonkeyPatch) -> None:
    if running_compiled():
        assert "compiled" in describe()
        monkeypatch.setattr("attent.coach.engine.native.running_compiled", lambda: False)
    monkeypatch.setenv("ATTENT_COACH_NATIVE", "false")
    assert describe() == "coach: plain Python modules (ATTENT_COACH_NATIVE=false)"
    monkeypatch.setenv("ATTENT_COACH_NATIVE", "true")
    assert "run `make native`" in describe()


def cards() -> list[dict[str, Any]]:
    """Every corpus contact's and 200 benchmark contacts' scorecards, reasons in both languages."""
    transcripts = [read_contact(path).transcript for path in corpus_files(ROOT / "corpus" / "coach")]
    transcripts += contacts(200, 40, 7)
    out = []
    for transcript in transcripts:
        card = score(transcript)
        out.append(
            {
                "nl": scorecard_json(card, transcript, "nl"),
                "en": scorecard_json(card, transcript, "en"),
                "lines": list(card.line_languages),
            }
        )
    return out


def both() -> dict[str, Any]:
    """Whether this process runs compiled, and its `cards`."""
    return {"compiled": running_compiled(), "cards": cards()}


def test_compiled_and_plain_modules_score_every_contact_alike() -> None:
    _require_build()
    plain = subprocess.run(
        [sys.executable, "-c", "import json, tests.unit.test_coach_native as t; print(json.dumps(t.both()))"],
        cwd=ROOT,
        env={**os.environ, "ATTENT_COACH_NATIVE": "false"},
        capture_output=True,
        text=True,
        check=True,
    )
    compiled = json.loads(json.dumps(both()))  # the same JSON round trip as the plain side's
    other = json.loads(plain.stdout)
    assert (compiled["compiled"], other["compiled"]) == (True, False)
    assert len(compiled["cards"]) > 500
    assert other["cards"] == compiled["cards"]
