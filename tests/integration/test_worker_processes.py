"""Real `attent worker` processes: several at once move each due promise exactly once, and a worker
killed with SIGKILL in the middle of a batch loses nothing."""

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select

from attent.cases.service import get_case
from attent.channels.models import MessageState, OutboundMessage
from attent.core.clock import FrozenClock, SystemClock
from attent.core.db import Database
from attent.promises.models import Promise, PromiseKind, PromiseState
from attent.promises.service import create
from attent.timeline.models import TimelineEvent
from tests.conftest import make_tenant

ATTENT = str(Path(sys.executable).with_name("attent"))
BROKEN, AT_RISK = 1200, 600
MAILED = 40


def _due_promises(url: str) -> Database:
    """Promises made an hour ago (frozen clock): some now overdue, some only inside their warning."""
    database = Database.from_url(url)
    now = SystemClock().now()
    clock = FrozenClock(now - timedelta(hours=1))
    with database.unit_of_work() as db:
        tenant = make_tenant(db, clock, "workers")
        case = get_case(db=db, actor=tenant.agent, case_id=tenant.case.id)
        for i in range(BROKEN + AT_RISK):
            due = now - timedelta(minutes=30) if i < BROKEN else now + timedelta(minutes=3)
            create(
                db=db,
                case=case,
                kind=PromiseKind.CALLBACK,
                due_by=due,
                at=clock.now(),
                actor=None,
                owner_id=tenant.agent.id,
            )
    return database


def _start(url: str, log: Path, batch: int = 500, **extra: str) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "ATTENT_DATABASE_URL": url,
        "ATTENT_WORKER_POLL_SECONDS": "0.2",
        "ATTENT_PROMISE_BATCH": str(batch),
        **extra,
    }
    with log.open("ab") as out:  # the child keeps its own handle; ours closes at once
        return subprocess.Popen([ATTENT, "worker"], env=env, stdout=out, stderr=subprocess.STDOUT)


def _transitions(database: Database) -> Counter[str]:
    with database.sessions() as db:
        rows = db.execute(
            select(TimelineEvent.kind, func.count())
            .where(TimelineEvent.kind.in_(["promise.at_risk", "promise.broken"]))
            .group_by(TimelineEvent.kind)
        )
        return Counter(dict(rows.all()))


def _wait_for(database: Database, expected: Counter[str], limit: float = 120.0) -> Counter[str]:
    """Poll (bounded) until the workers have done everything; work, not a due time, is awaited."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        seen = _transitions(database)
        if seen == expected:
            return seen
        time.sleep(0.2)
    return _transitions(database)


def _exactly_once(database: Database) -> None:
    with database.sessions() as db:
        per_promise = db.execute(
            select(TimelineEvent.data, TimelineEvent.kind).where(
                TimelineEvent.kind.in_(["promise.at_risk", "promise.broken"])
            )
        ).all()
        counts = Counter((data["promise_id"], kind) for data, kind in per_promise)
        assert max(counts.values()) == 1, "a transition happened twice"
        states = Counter(db.scalars(select(Promise.state)))
        assert states == {PromiseState.BROKEN: BROKEN, PromiseState.OPEN: AT_RISK}
        assert (
            db.scalar(
                select(func.count())
                .select_from(Promise)
                .where(Promise.state == PromiseState.OPEN, Promise.at_risk.is_(False))
            )
            == 0
        )


def _stop(*workers: subprocess.Popen[bytes]) -> None:
    for w in workers:
        if w.poll() is None:
            w.send_signal(signal.SIGTERM)
    for w in workers:
        try:
            w.wait(timeout=20)
        except subprocess.TimeoutExpired:
            w.kill()
            w.wait()


def test_three_workers_move_each_due_promise_exactly_once(committed_url, tmp_path):
    database = _due_promises(committed_url)
    log = tmp_path / "workers.log"
    workers = [_start(committed_url, log) for _ in range(3)]
    try:
        seen = _wait_for(database, Counter({"promise.broken": BROKEN, "promise.at_risk": AT_RISK}))
    finally:
        _stop(*workers)
    assert seen == {"promise.broken": BROKEN, "promise.at_risk": AT_RISK}
    _exactly_once(database)
    assert all(w.returncode == 0 for w in workers), log.read_text()
    assert "Traceback" not in log.read_text(), log.read_text()
    database.engine.dispose()


def test_a_worker_killed_mid_batch_loses_nothing_and_repeats_nothing(committed_url, tmp_path):
    database = _due_promises(committed_url)
    log = tmp_path / "workers.log"
    victim = _start(committed_url, log, batch=5)  # hundreds of small batches: the kill lands mid-run
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and sum(_transitions(database).values()) == 0:
        time.sleep(0.01)
    victim.send_signal(signal.SIGKILL)  # no clean-up, no goodbye: whatever batch it held is mid-flight
    victim.wait()
    partial = sum(_transitions(database).values())
    assert 0 < partial < BROKEN + AT_RISK, "the kill should land while work remains"
    successor = _start(committed_url, log)
    try:
        seen = _wait_for(database, Counter({"promise.broken": BROKEN, "promise.at_risk": AT_RISK}))
    finally:
        _stop(successor)
    assert seen == {"promise.broken": BROKEN, "promise.at_risk": AT_RISK}, log.read_text()
    _exactly_once(database)
    database.engine.dispose()


def _unsent(database: Database) -> int:
    with database.sessions() as db:
        return (
            db.scalar(
                select(func.count())
                .select_from(OutboundMessage)
                .where(OutboundMessage.state != MessageState.SENT)
            )
            or 0
        )


def test_customer_messages_go_out_exactly_once_from_three_workers(committed_url, tmp_path, mailbox):
    database = Database.from_url(committed_url)
    now = SystemClock().now()
    clock = FrozenClock(now - timedelta(hours=1))
    with database.unit_of_work() as db:
        tenant = make_tenant(db, clock, "mailers")
        case = get_case(db=db, actor=tenant.agent, case_id=tenant.case.id)
        for _ in range(MAILED):  # each is told when made, and told again now that it is at risk
            create(
                db=db,
                case=case,
                kind=PromiseKind.CALLBACK,
                due_by=now + timedelta(minutes=3),
                at=clock.now(),
                actor=None,
                owner_id=tenant.agent.id,
                tell_customer=True,
            )
    smtp = {"ATTENT_SMTP_HOST": mailbox.host, "ATTENT_SMTP_PORT": str(mailbox.port)}
    log = tmp_path / "workers.log"
    workers = [_start(committed_url, log, batch=10, **smtp) for _ in range(3)]
    try:
        deadline = time.monotonic() + 120  # work is awaited, not a due time: every message marked sent
        while time.monotonic() < deadline and _unsent(database) != 0:
            time.sleep(0.2)
    finally:
        _stop(*workers)
    ids = Counter(m["Message-ID"] for m in mailbox.messages)
    assert len(ids) == 2 * MAILED, log.read_text()
    assert max(ids.values()) == 1, "a message was sent twice"
    subjects = Counter(m["Subject"].split(" (")[0] for m in mailbox.messages)
    assert subjects["Een eerlijke update over uw terugbelverzoek"] == MAILED
    with database.sessions() as db:
        states = Counter(db.scalars(select(OutboundMessage.state)))
        assert states == {MessageState.SENT: 2 * MAILED}
        sent_events = db.scalar(
            select(func.count()).select_from(TimelineEvent).where(TimelineEvent.kind == "message.sent")
        )
        assert sent_events == 2 * MAILED
    assert "Traceback" not in log.read_text(), log.read_text()
    database.engine.dispose()
