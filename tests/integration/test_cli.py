"""The `attent` command, run as a user would: a real process against a real SQLite file."""

import re
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest

ATTENT = str(Path(sys.executable).with_name("attent"))


def _run(tmp_path, *args, input=None, **settings):
    env = {
        "ATTENT_DATABASE_URL": f"sqlite:///{tmp_path / 'attent.db'}",
        "PATH": "/usr/bin:/bin",
        "COLUMNS": "200",
        **settings,
    }
    return subprocess.run(
        [ATTENT, *args], capture_output=True, text=True, env=env, input=input, timeout=60, check=False
    )


@pytest.mark.parametrize(
    "command",
    [
        [],
        ["serve"],
        ["worker"],
        ["migrate"],
        ["demo"],
        ["agent", "create"],
        ["token", "create"],
        ["org", "create"],
        ["rules", "test"],
        ["files", "sweep"],
    ],
)
def test_help_everywhere(tmp_path, command):
    result = _run(tmp_path, *command, "--help")
    assert result.returncode == 0, result.stderr
    assert "Usage" in result.stdout


def _token(output: str) -> str:
    [token] = re.findall(r"Demo API token \(Sanne, admin of Kopje Koffie\): (att_\S+)", output)
    return token


def test_migrate_says_what_it_did(tmp_path):
    created = _run(tmp_path, "migrate")
    assert created.returncode == 0, created.stderr
    assert "Created the database schema (revision 0" in created.stdout and "up to date" not in created.stdout
    again = _run(tmp_path, "migrate")
    assert "Database is up to date (revision 0" in again.stdout


def test_demo_twice_and_demo_show_print_the_logins_and_the_same_token(tmp_path):
    assert _run(tmp_path, "migrate").returncode == 0
    assert "There is no demo" in _run(tmp_path, "demo", "--show").stdout
    first = _run(tmp_path, "demo", ATTENT_PORT="8123")
    assert first.returncode == 0, first.stderr
    token = _token(first.stdout)
    assert f"curl -H 'Authorization: Bearer {token}' http://127.0.0.1:8123/api/v1/cases" in first.stdout
    second = _run(tmp_path, "demo")
    assert "its story still holds, nothing was changed" in second.stdout
    assert "fatima@kopjekoffie.example" in second.stdout and _token(second.stdout) == token
    shown = _run(tmp_path, "demo", "--show", ATTENT_HOST="::1")
    assert "fatima@kopjekoffie.example" in shown.stdout and _token(shown.stdout) == token
    assert "http://[::1]:8000/api/v1/cases" in shown.stdout
    assert _run(tmp_path, "org", "create", "acme", "Acme").returncode == 0
    assert _token(_run(tmp_path, "demo").stdout) == token  # beside other data: still the demo, not added
    with closing(sqlite3.connect(tmp_path / "attent.db")) as db:
        assert db.execute("select count(*) from organisations").fetchone() == (3,)
        assert db.execute("select count(*) from api_tokens where name = 'demo'").fetchone() == (1,)


def test_migrate_demo_agent_and_token(tmp_path):
    assert _run(tmp_path, "migrate").returncode == 0
    demo = _run(tmp_path, "demo")
    assert demo.returncode == 0, demo.stderr
    assert (
        "fatima@kopjekoffie.example" in demo.stdout and "attent-demo" in demo.stdout and "att_" in demo.stdout
    )
    made = _run(
        tmp_path,
        "agent",
        "create",
        "--org",
        "kopje-koffie",
        "--email",
        "nina@example.com",
        "--name",
        "Nina",
        "--role",
        "lead",
        input="a very long password\na very long password\n",
    )
    assert made.returncode == 0, made.stdout + made.stderr
    assert "nina@example.com (lead)" in made.stdout
    token = _run(tmp_path, "token", "create", "--org", "kopje-koffie", "--email", "nina@example.com")
    assert token.returncode == 0 and token.stdout.strip().startswith("att_")
    missing = _run(tmp_path, "token", "create", "--org", "nowhere", "--email", "nina@example.com")
    assert missing.returncode == 1 and "No organisation with slug “nowhere”" in missing.stdout


def test_worker_once_runs_against_the_database(tmp_path):
    assert _run(tmp_path, "migrate").returncode == 0
    result = _run(tmp_path, "worker", "--once")
    assert result.returncode == 0 and "0 job(s) done." in result.stdout
