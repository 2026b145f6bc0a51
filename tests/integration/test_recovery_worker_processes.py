"""Real `attent worker` processes do each due check-in exactly once: three at a time, and when one is
killed with SIGKILL in the middle of a batch, its successor finishes the rest and repeats nothing."""

import signal
import time
from collections import Counter
from datetime import timedelta

from sqlalchemy import func, select

from attent.channels.models import OutboundMessage
from attent.core.clock import FrozenClock, SystemClock
from attent.core.db import Database
from attent.promises.models import Promise, PromiseKind
from attent.recovery.models import CheckIn, CheckInState
from attent.recovery.service import schedule_check_in
from attent.timeline.models import TimelineEvent
from tests.conftest import make_tenant
from tests.integration.test_worker_processes import _start, _stop

TASKS, MESSAGES = 300, 100


def _due_check_ins(url: str) -> Database:
    """Check-ins scheduled an hour ago, all due a minute ago: half tasks for agents, some messages."""
    database = Database.from_url(url)
    now = SystemClock().now()
    clock = FrozenClock(now - timedelta(hours=1))
    with database.unit_of_work() as db:
        tenant = make_tenant(db, clock, "check-ins")
        for i in range(TASKS + MESSAGES):
            schedule_check_in(
                db=db,
                organisation_id=tenant.organisation_id,
                customer_id=tenant.customer.id,
                case_id=tenant.case.id,
                due_at=now - timedelta(minutes=1),
                mode="task" if i < TASKS else "message",
                note=f"Check-in {i}",
                source="test",
                at=clock.now(),
            )
    return database


def _done(database: Database) -> int:
    with database.sessions() as db:
        return (
            db.scalar(select(func.count()).select_from(CheckIn).where(CheckIn.state == CheckInState.DONE))
            or 0
        )


def _wait_for_all(database: Database, limit: float = 120.0) -> int:
    """Poll (bounded) until every check-in is done; work, not a due time, is awaited."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline and _done(database) < TASKS + MESSAGES:
        time.sleep(0.2)
    return _done(database)


def _exactly_once(database: Database) -> None:
    with database.sessions() as db:
        events = db.scalars(select(TimelineEvent.data).where(TimelineEvent.kind == "check_in.done")).all()
        per_check_in = Counter(data["check_in_id"] for data in events)
        assert len(per_check_in) == TASKS + MESSAGES and max(per_check_in.values()) == 1
        follow_ups = db.scalar(
            select(func.count()).select_from(Promise).where(Promise.kind == PromiseKind.FOLLOW_UP)
        )
        assert follow_ups == TASKS
        assert db.scalar(select(func.count()).select_from(OutboundMessage)) == MESSAGES
        linked = db.scalar(select(func.count(func.distinct(CheckIn.promise_id))))
        assert linked == TASKS


def test_three_workers_do_each_check_in_exactly_once(committed_url, tmp_path):
    database = _due_check_ins(committed_url)
    log = tmp_path / "workers.log"
    workers = [_start(committed_url, log, batch=10) for _ in range(3)]
    try:
        done = _wait_for_all(database)
    finally:
        _stop(*workers)
    assert done == TASKS + MESSAGES, log.read_text()
    _exactly_once(database)
    assert all(w.returncode == 0 for w in workers), log.read_text()
    assert "Traceback" not in log.read_text(), log.read_text()
    database.engine.dispose()


def test_a_worker_killed_mid_batch_loses_no_check_in_and_repeats_none(committed_url, tmp_path):
    database = _due_check_ins(committed_url)
    log = tmp_path / "workers.log"
    victim = _start(committed_url, log, batch=2)  # hundreds of small batches: the kill lands mid-run
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and _done(database) == 0:
        time.sleep(0.01)
    victim.send_signal(signal.SIGKILL)
    victim.wait()
    partial = _done(database)
    assert 0 < partial < TASKS + MESSAGES, "the kill should land while work remains"
    successor = _start(committed_url, log, batch=50)
    try:
        done = _wait_for_all(database)
    finally:
        _stop(successor)
    assert done == TASKS + MESSAGES, log.read_text()
    _exactly_once(database)
    database.engine.dispose()
