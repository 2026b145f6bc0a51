"""Run schemathesis (`st run --checks all`) against the real server with the demo data.

schemathesis is not a dependency of Attent: install it into a virtual environment of its own and
say where its `st` is (see bench/README.md). This script migrates a fresh database (SQLite in a
temporary folder, or the PostgreSQL database given with --url, whose tables it empties first),
loads the demo, makes an API token for the demo's admin (who may call every operation), serves
the app with `attent serve --no-worker` on a free port and runs `st` against its OpenAPI document.
Everything after `--` goes to `st run`.

    .venv/bin/python -m bench.schemathesis --st /tmp/st/bin/st -- --max-examples 20
"""

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from sqlalchemy import text

from attent.core.db import make_engine
from bench.server import VENV_BIN, Server

ADMIN = ("kopje-koffie", "sanne@kopjekoffie.example")


def _attent(url: str, *args: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ATTENT_")} | {"ATTENT_DATABASE_URL": url}
    env["COLUMNS"] = "500"  # Rich must not wrap the token
    done = subprocess.run(
        [str(VENV_BIN / "attent"), *args], env=env, capture_output=True, text=True, check=True, timeout=300
    )
    return done.stdout


def _empty_postgres(url: str) -> None:
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def main() -> int:
    """Prepare, serve, run `st`; its exit code is ours."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--st", default="st", help="the schemathesis command (default: st on the PATH)")
    parser.add_argument("--url", help="a PostgreSQL database to use (its public schema is dropped!)")
    parser.add_argument("st_args", nargs="*", help="arguments for `st run`, after --")
    options = parser.parse_args()
    if options.url:
        url = options.url
        _empty_postgres(url)
    else:
        url = f"sqlite:///{Path(tempfile.mkdtemp(prefix='attent-st-')) / 'attent.db'}"
    _attent(url, "migrate")
    _attent(url, "demo")
    org, email = ADMIN
    token = _attent(url, "token", "create", "--org", org, "--email", email, "--name", "schemathesis").strip()
    with Server(url) as server:
        command = [
            options.st, "run", f"{server.base_url}/api/v1/openapi.json", "--checks", "all",
            "--header", f"Authorization: Bearer {token}", *options.st_args,
        ]  # fmt: skip
        shown = [c if not c.startswith("Authorization") else "Authorization: Bearer …" for c in command]
        print("$", " ".join(shown))
        sys.stdout.flush()
        return subprocess.run(command, check=False).returncode


if __name__ == "__main__":
    sys.exit(main())
