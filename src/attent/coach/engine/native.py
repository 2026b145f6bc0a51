"""The coach's engine compiled to C with mypyc: the same source, read by the same rules, faster.

Scoring is plain Python over short strings, and most of its time was the interpreter's own (calls,
attribute and dict lookups); mypyc compiles that away using the types the code already declares for mypy.
The compiled modules live in `build/coach-native`, never beside the sources, and `activate` puts them
first on the engine package's path only when they were built from exactly the sources on disk (a
fingerprint of their bytes and the interpreter), so an edited module is never shadowed by a stale build:
it runs as plain Python until `python -m attent.coach.engine.build_native` builds again.
ATTENT_COACH_NATIVE=false runs the plain modules. `tests/unit/test_coach_native.py` scores the corpus
both ways and compares the scorecards.
"""

import hashlib
import os
import sys
import sysconfig
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
BUILD = Path(os.environ.get("ATTENT_COACH_NATIVE_DIR", PACKAGE.parents[3] / "build" / "coach-native"))
STAMP = "BUILT-FROM"
GROUP = "attent.coach.engine.compiled"  # mypyc's shared library: attent/coach/engine/compiled__mypyc.<abi>.so

# Not compiled: the package's door (`__init__`: it must run first, to put the build on the path), this module
# and the build script, and the rule book's loader (`rules/`: it reads its TOML beside itself, once per
# process, and a compiled module's own file is not beside the sources). Every other module of the package is
# compiled, so a module added to the engine is compiled (and fingerprinted) without being listed here.
PLAIN = ("__init__", "native", "build_native")
COMPILED = tuple(sorted(path.stem for path in PACKAGE.glob("*.py") if path.stem not in PLAIN))


def fingerprint(package: Path = PACKAGE) -> str:
    """What a build must have been made from: the compiled modules' bytes and this interpreter's ABI."""
    digest = hashlib.sha256(f"{sys.version}|{sysconfig.get_config_var('EXT_SUFFIX')}".encode())
    for name in COMPILED:
        digest.update(name.encode() + b"\0" + (package / f"{name}.py").read_bytes() + b"\0")
    return digest.hexdigest()


def enabled() -> bool:
    """Whether compiled modules may be used at all (ATTENT_COACH_NATIVE=false turns them off)."""
    return os.environ.get("ATTENT_COACH_NATIVE", "true").strip().lower() not in ("false", "0", "no", "off")


def up_to_date(build: Path = BUILD, package: Path = PACKAGE) -> bool:
    """Whether `build` holds modules compiled from the sources in `package` as they are now."""
    stamp = build / STAMP
    return stamp.is_file() and stamp.read_text(encoding="ascii").strip() == fingerprint(package)


def activate(path: list[str], build: Path = BUILD, package: Path = PACKAGE) -> bool:
    """Put the compiled modules ahead of the sources on the package's `path`, if they match the sources."""
    if not enabled() or not up_to_date(build, package):
        return False
    path.insert(0, str(build / "attent" / "coach" / "engine"))
    return True


def running_compiled() -> bool:
    """Whether this process scores with the compiled modules (for the benchmark and the tests)."""
    from attent.coach.engine import scorer

    return not scorer.__file__.endswith(".py")


def describe() -> str:
    """One line for the worker's log: how this process scores, and why when it is not compiled."""
    if running_compiled():
        return f"coach: compiled modules from {BUILD}"
    if not enabled():
        return "coach: plain Python modules (ATTENT_COACH_NATIVE=false)"
    return f"coach: plain Python modules (no build in {BUILD} matches the sources: run `make native`)"
