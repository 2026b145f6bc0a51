"""`make run` installs only what runs; `make test` adds the dev extras; switching between them is right.

Each case asks make what it would do (`make -n`) in a copy of the Makefile and pyproject.toml, with the
stamps a previous install would have left in `.venv`.
"""

import hashlib
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="needs make")


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    for name in ("Makefile", "pyproject.toml"):
        shutil.copy(ROOT / name, tmp_path / name)
    return tmp_path


def _stamp(checkout: Path, kind: str) -> None:
    """What an install of `kind` (run or dev) left behind for this pyproject.toml."""
    digest = hashlib.sha1((checkout / "pyproject.toml").read_bytes()).hexdigest()[:12]
    (checkout / ".venv" / "bin").mkdir(parents=True, exist_ok=True)
    (checkout / ".venv" / "bin" / "python").touch(mode=0o755)
    (checkout / ".venv" / f".installed-{kind}-{digest}").touch()


def _plan(checkout: Path, target: str) -> list[str]:
    """The commands `make target` would run."""
    done = subprocess.run(
        ["make", "--no-print-directory", "-n", target],
        cwd=checkout,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return done.stdout.splitlines()


def _installs(plan: list[str]) -> list[str]:
    return [line for line in plan if "pip install" in line and "--upgrade pip" not in line]


def test_run_on_a_fresh_checkout_installs_the_package_without_the_dev_extras_and_compiles_nothing(checkout):
    plan = _plan(checkout, "run")
    assert _installs(plan) == [".venv/bin/pip install -q -e ."]
    assert not any("build_native" in line or "apt-get" in line for line in plan)
    assert plan[-3:] == [".venv/bin/attent migrate", ".venv/bin/attent demo", ".venv/bin/attent serve"]


def test_test_on_a_fresh_checkout_installs_the_dev_extras_and_compiles_the_coach(checkout):
    plan = _plan(checkout, "test")
    assert _installs(plan) == ['.venv/bin/pip install -q -e ".[dev]"']
    assert any("attent.coach.engine.build_native" in line for line in plan)


def test_run_after_test_installs_nothing_more(checkout):
    _stamp(checkout, "dev")
    assert _installs(_plan(checkout, "run")) == []


def test_test_after_run_adds_the_dev_extras(checkout):
    _stamp(checkout, "run")
    assert _installs(_plan(checkout, "test")) == ['.venv/bin/pip install -q -e ".[dev]"']
    assert _installs(_plan(checkout, "run")) == []


def test_a_changed_pyproject_installs_again(checkout):
    _stamp(checkout, "dev")
    with (checkout / "pyproject.toml").open("a") as f:
        f.write("\n# changed\n")
    assert _installs(_plan(checkout, "run")) == [".venv/bin/pip install -q -e ."]
