"""`python -m attent.coach.engine.build_native [--check]`: compile the coach's scoring modules with mypyc.

Run by `make install` (a no-op when the build matches the sources); what runs is decided at import by
`attent.coach.engine.native`. Compiling takes about half a minute and needs a C compiler and Python's headers.
"""

import argparse
import os
import shutil
import sys
from pathlib import Path

from attent.coach.engine.native import BUILD, COMPILED, GROUP, PACKAGE, STAMP, fingerprint, up_to_date


def build(build_dir: Path = BUILD) -> bool:
    """Compile `COMPILED` into `build_dir` unless it is up to date; True when something was built.

    The C files and objects go to a scratch folder beside it; the old build is removed first, so a
    failed build leaves plain Python running rather than a half-made mix."""
    if up_to_date(build_dir):
        return False
    from mypyc.build import mypycify  # build-time only: mypy is a development dependency
    from setuptools import setup  # type: ignore[import-untyped]  # setuptools ships no types

    made_from = fingerprint()  # before compiling: a source edited meanwhile makes the build stale
    scratch = build_dir.with_name(build_dir.name + "-work")
    shutil.rmtree(build_dir, ignore_errors=True)
    root = PACKAGE.parents[3]
    paths = [str((PACKAGE / f"{name}.py").relative_to(root)) for name in COMPILED]
    here = Path.cwd()
    os.chdir(root)  # mypy reads the project's configuration and finds `attent` under src from here
    try:
        extensions = mypycify(
            ["--cache-dir", str(scratch / "mypy-cache"), *paths],
            target_dir=str(scratch / "c"),
            group_name=GROUP,
        )
        scratch.mkdir(parents=True, exist_ok=True)
        os.chdir(scratch)  # setuptools would read the project's own pyproject.toml in the root
        setup(
            name="attent-coach-native",
            ext_modules=extensions,
            script_args=[
                "--quiet",
                "build_ext",
                f"--build-lib={build_dir}",
                f"--build-temp={scratch / 'objects'}",
                f"--parallel={os.cpu_count() or 1}",
            ],
        )
    finally:
        os.chdir(here)
    (build_dir / STAMP).write_text(made_from + "\n", encoding="ascii")
    return True


def main() -> None:
    """Build the compiled coach, or (`--check`) say whether it is current."""
    parser = argparse.ArgumentParser(description="Compile the coach's scoring modules with mypyc.")
    parser.add_argument("--check", action="store_true", help="exit 1 unless the build matches the sources")
    args = parser.parse_args()
    if args.check:
        current = up_to_date()
        print(f"compiled coach in {BUILD}: {'up to date' if current else 'missing or stale'}")
        sys.exit(0 if current else 1)
    built = build()
    print(f"compiled coach in {BUILD}: {'built' if built else 'already up to date'}")


if __name__ == "__main__":
    main()
