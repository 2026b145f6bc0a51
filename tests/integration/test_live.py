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


def test_new_timeline_events_notify_on_commit_only_once_per_case(committed_url):
    """PostgreSQL's trigger: rows written any way (here COPY, no ORM) signal their cases on commit."""
    if not committed_url.startswith("postgresql"):
        pytest.skip("PostgreSQL's LISTEN/NOTIFY; SQLite publishes in its one process")
    from attent.core.db import insert_many
    from attent.core.ids import uuid7
    from attent.core.live import CHANNEL, case_key
    from attent.timeline.models import ActorKind, TimelineEvent

    database = Database.from_url(committed_url)
    clock = FrozenClock(SystemClock().now())
    with database.unit_of_work() as db:
        tenant = make_tenant(db, clock, "trigger-koffie")
    listener = psycopg.connect(committed_url, autocommit=True)
    listener.execute(f"LISTEN {CHANNEL}")

    def events(n: int) -> list[dict[str, object]]:
        return [
            {"organisation_id": tenant.organisation_id, "id": uuid7(), "case_id": tenant.case.id,
             "customer_id": tenant.case.customer_id, "at": clock.now(), "actor_kind": ActorKind.SYSTEM,
             "actor_id": None, "kind": "test.copied", "data": {}, "customer_visible": False}
            for _ in range(n)
        ]  # fmt: skip

    with database.sessions() as db:
        insert_many(db, TimelineEvent, events(3))
        db.rollback()
    assert list(listener.notifies(timeout=0.5)) == []  # nothing committed, nothing said
    with database.unit_of_work() as db:
        insert_many(db, TimelineEvent, events(3))
    heard = [note.payload for note in listener.notifies(timeout=2.0, stop_after=1)]
    heard += [note.payload for note in listener.notifies(timeout=0.5)]
    assert heard == [case_key(tenant.organisation_id, tenant.case.id)]
    listener.close()
    database.engine.dispose()
