"""Many concurrent requests against a small connection pool: every one is answered, none hangs."""

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import httpx2 as httpx
from sqlalchemy import func, select

from attent.cases.models import Note
from attent.core.clock import FrozenClock, SystemClock
from attent.core.db import Database
from tests.conftest import make_tenant
from tests.integration.test_live import serve

# Four pooled connections and 90 requests at once: more requests than worker threads (40) plus
# connections, the point at which threads blocked on the pool used to hang the whole server.
CONCURRENT = 90


def test_a_burst_beyond_threads_and_connections_is_answered(committed_url, tmp_path):
    database = Database.from_url(committed_url)
    with database.unit_of_work() as db:
        tenant = make_tenant(db, FrozenClock(SystemClock().now() - timedelta(minutes=5)), "druk-koffie")
    process, base = serve(committed_url, tmp_path / "serve.log", db_pool_size="2")
    headers = {"Authorization": f"Bearer {tenant.tokens['agent']}"}

    def note(n: int) -> int:
        with httpx.Client(base_url=base, headers=headers, timeout=20) as client:
            return client.post(
                f"/api/v1/cases/{tenant.case.id}/notes", json={"text": f"Notitie {n}"}
            ).status_code

    try:
        with ThreadPoolExecutor(max_workers=CONCURRENT) as pool:
            answers = list(pool.map(note, range(CONCURRENT)))
    finally:
        process.terminate()
        process.wait(timeout=20)
    assert answers == [201] * CONCURRENT
    with database.unit_of_work() as db:
        notes = select(func.count()).select_from(Note).where(Note.case_id == tenant.case.id)
        assert db.scalar(notes) == CONCURRENT
    database.engine.dispose()
