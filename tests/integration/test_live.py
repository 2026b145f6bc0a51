"""Live updates with real `attent serve` processes: a change made through one process reaches a page
open on another (PostgreSQL LISTEN/NOTIFY; on SQLite, one process), and colleagues see each other."""

import os
import queue
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import httpx2 as httpx
import psycopg
import pytest

from attent.core.clock import FrozenClock, SystemClock
from attent.core.db import Database
from tests.conftest import free_port, make_tenant

ATTENT = str(Path(sys.executable).with_name("attent"))


def serve(url: str, log: Path, **settings: str) -> tuple[subprocess.Popen[bytes], str]:
    """`attent serve` on a free port against `url`, with extra ATTENT_* settings; returns its base URL."""
    port = free_port()
    env = {**os.environ, "ATTENT_DATABASE_URL": url, "ATTENT_EMBEDDED_WORKER": "false"}
    env |= {f"ATTENT_{name.upper()}": value for name, value in settings.items()}
    with log.open("ab") as out:
        proc = subprocess.Popen(
            [ATTENT, "serve", "--port", str(port), "--no-worker"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/signin", timeout=1).status_code == 200:
                return proc, base
        except httpx.TransportError:
            time.sleep(0.1)
    proc.kill()
    raise AssertionError(log.read_text())


def _listen(base: str, path: str, token: str, lines: "queue.Queue[str]", stop: threading.Event) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.stream("GET", f"{base}{path}", headers=headers, timeout=None) as response:
        for line in response.iter_lines():
            lines.put(line)
            if stop.is_set():
                return


def _next_event(lines: "queue.Queue[str]", limit: float = 15.0) -> str | None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=0.2)
        except queue.Empty:
            continue
        if line.startswith("event: "):
            return line.removeprefix("event: ")
    return None


@pytest.fixture
def servers(committed_url, tmp_path):
    """Two web processes on PostgreSQL (changes cross between them); one on SQLite."""
    log = tmp_path / "serve.log"
    procs = [serve(committed_url, log) for _ in range(2 if committed_url.startswith("postgresql") else 1)]
    yield [base for _, base in procs]
    for proc, _ in procs:
        proc.terminate()
        proc.wait(timeout=20)


def test_a_change_through_one_process_reaches_a_page_open_on_another(committed_url, servers):
    database = Database.from_url(committed_url)
    clock = FrozenClock(SystemClock().now() - timedelta(minutes=5))
    with database.unit_of_work() as db:
        tenant = make_tenant(db, clock, "live-koffie")
    database.engine.dispose()
    viewer_base, writer_base = servers[0], servers[-1]
    lines: queue.Queue[str] = queue.Queue()
    stop = threading.Event()
    path = f"/cases/{tenant.case.id}/live"
    threading.Thread(
        target=_listen, args=(viewer_base, path, tenant.tokens["agent"], lines, stop), daemon=True
    ).start()
    first = lines.get(timeout=15)
    assert first.startswith("retry:"), first  # the stream is open and the agent is a viewer

    lead = {"Authorization": f"Bearer {tenant.tokens['lead']}"}
    page = httpx.get(f"{writer_base}/cases/{tenant.case.id}", headers=lead, timeout=10)
    assert page.status_code == 200 and "Kijkt ook naar deze zaak:" in page.text
    assert tenant.agent.name in page.text.split('id="viewers"')[1].split("</p>")[0]

    while _next_event(lines, limit=1.0) is not None:  # the agent's own arrival, if it echoed
        pass
    note = httpx.post(
        f"{writer_base}/api/v1/cases/{tenant.case.id}/notes", json={"text": "Klant belt om 15:00 terug"},
        headers=lead, timeout=10,
    )  # fmt: skip
    assert note.status_code == 201, note.text
    assert _next_event(lines) == "changed", "the note made through the other process arrives live"
    stop.set()


NOTIFYING_FUNCTIONS = """
    SELECT p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
    WHERE n.nspname = current_schema() AND p.prosrc ILIKE '%notify%'
"""


def test_timeline_events_written_in_bulk_notify_after_commit_only_once_per_case(committed_url):
    """Rows written without the ORM (COPY on PostgreSQL) signal their case once, after commit, from the
    application: no trigger, and no NOTIFY inside the writing transaction (Citus' two-phase commit)."""
    if not committed_url.startswith("postgresql"):
        pytest.skip("PostgreSQL's LISTEN/NOTIFY; SQLite publishes in its one process")
    from sqlalchemy import text

    from attent.cases.kinds import CaseStatusChanged
    from attent.core.live import CHANNEL, case_key
    from attent.timeline.service import record_system_events

    database = Database.from_url(committed_url)
    clock = FrozenClock(SystemClock().now())
    with database.unit_of_work() as db:
        tenant = make_tenant(db, clock, "bulk-koffie")
    listener = psycopg.connect(committed_url, autocommit=True)
    try:
        listener.execute(f"LISTEN {CHANNEL}")
        moved = CaseStatusChanged(from_="open", to="pending")
        entries = [(tenant.case, moved, clock.now())] * 3
        with database.sessions() as db:
            record_system_events(db=db, entries=entries)
            db.rollback()
        assert list(listener.notifies(timeout=0.5)) == []  # nothing committed, nothing said
        with database.unit_of_work() as db:
            record_system_events(db=db, entries=entries)
            assert list(listener.notifies(timeout=0.3)) == []  # not before the commit
        heard = [note.payload for note in listener.notifies(timeout=2.0, stop_after=1)]
        heard += [note.payload for note in listener.notifies(timeout=0.5)]
        assert heard == [case_key(tenant.organisation_id, tenant.case.id)]
        with database.sessions() as db:
            triggers = db.scalar(
                text("SELECT count(*) FROM pg_trigger WHERE tgname = 'timeline_events_notify'")
            )
        assert triggers == 0
    finally:
        listener.close()
        database.engine.dispose()
