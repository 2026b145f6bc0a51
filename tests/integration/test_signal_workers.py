"""Real `attent worker` processes evaluate signals: each rule acts exactly once per signal across
three workers, and a worker killed with SIGKILL in the middle of a batch loses and repeats nothing."""

import signal as signals_
import time
from collections import Counter
from datetime import timedelta

from sqlalchemy import func, select

from attent.cases.models import Case
from attent.core.clock import FrozenClock, SystemClock
from attent.core.db import Database
from attent.customers.schemas import CustomerCreate
from attent.customers.service import create_customer
from attent.promises.models import Promise
from attent.signals.models import FiringState, RuleFiring, Signal, SignalState
from attent.signals.rules import put_rulebook
from attent.signals.schemas import SignalIn
from attent.signals.service import take_in
from tests.conftest import make_tenant
from tests.integration.rulebooks import document
from tests.integration.test_worker_processes import _start, _stop

CUSTOMERS = 300
RIGHT_AWAY = {
    "key": "right-away",
    "name": "Failed delivery",
    "when": {"signal": "delivery.failed"},
    "then": [
        {"do": "open_case", "subject": "Bezorging mislukt"},
        {"do": "make_promise", "kind": "follow_up", "due_in": "4h"},
    ],
}
A_MINUTE_LATER = {
    "key": "a-minute-later",
    "name": "Check a minute later",
    "when": {"signal": "delivery.failed", "after": "1m"},
    "then": [{"do": "open_case", "subject": "Nog eens nakijken"}],
}


def _signals(url: str) -> Database:
    """300 customers, two rules (one delayed by a minute, already due) and a failed delivery each."""
    database = Database.from_url(url)
    now = SystemClock().now()
    clock = FrozenClock(now - timedelta(minutes=5))
    with database.unit_of_work() as db:
        tenant = make_tenant(db, clock, "signals")
        put_rulebook(db=db, actor=tenant.admin, document=document(RIGHT_AWAY, A_MINUTE_LATER), at=clock.now())
        for i in range(CUSTOMERS):
            data = CustomerCreate(name=f"Klant {i}", external_refs={"shop": f"S-{i}"})
            create_customer(db=db, actor=tenant.agent, data=data, at=clock.now())
        batch = [
            SignalIn.model_validate(
                {
                    "type": "delivery.failed",
                    "customer_ref": {"system": "shop", "value": f"S-{i}"},
                    "occurred_at": clock.now().isoformat(),
                    "external_id": f"e-{i}",
                    "attributes": {"order_id": f"O-{i}"},
                }
            )
            for i in range(CUSTOMERS)
        ]
        take_in(
            db=db,
            organisation_id=tenant.organisation_id,
            source="api",
            signals=batch,
            batch=True,
            at=clock.now(),
        )
    return database


def _fired(database: Database) -> int:
    with database.sessions() as db:
        query = select(func.count()).select_from(RuleFiring).where(RuleFiring.state == FiringState.FIRED)
        return db.scalar(query) or 0


def _wait(database: Database, expected: int, limit: float = 120.0) -> int:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline and _fired(database) < expected:
        time.sleep(0.2)
    return _fired(database)


def _exactly_once(database: Database) -> None:
    with database.sessions() as db:
        per_pair = Counter(db.execute(select(RuleFiring.rule_id, RuleFiring.signal_id)).all())
        assert len(per_pair) == 2 * CUSTOMERS and max(per_pair.values()) == 1
        states = Counter(db.scalars(select(RuleFiring.state)))
        assert states == {FiringState.FIRED: 2 * CUSTOMERS}
        subjects = Counter(db.scalars(select(Case.subject).where(Case.type == "proactive")))
        assert subjects == {"Bezorging mislukt": CUSTOMERS, "Nog eens nakijken": CUSTOMERS}
        assert db.scalar(select(func.count()).select_from(Promise)) == CUSTOMERS
        assert set(db.scalars(select(Signal.state))) == {SignalState.EVALUATED}


def test_three_workers_act_on_each_signal_exactly_once(committed_url, tmp_path):
    database = _signals(committed_url)
    log = tmp_path / "workers.log"
    workers = [_start(committed_url, log, batch=20) for _ in range(3)]
    try:
        seen = _wait(database, 2 * CUSTOMERS)
    finally:
        _stop(*workers)
    assert seen == 2 * CUSTOMERS, log.read_text()
    _exactly_once(database)
    assert "Traceback" not in log.read_text(), log.read_text()
    database.engine.dispose()


def test_a_worker_killed_mid_batch_loses_nothing_and_repeats_nothing(committed_url, tmp_path):
    database = _signals(committed_url)
    log = tmp_path / "workers.log"
    victim = _start(committed_url, log, batch=3)  # a hundred small batches: the kill lands mid-run
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and _fired(database) == 0:
        time.sleep(0.01)
    victim.send_signal(signals_.SIGKILL)
    victim.wait()
    partial = _fired(database)
    assert 0 < partial < 2 * CUSTOMERS, "the kill should land while work remains"
    successor = _start(committed_url, log)
    try:
        seen = _wait(database, 2 * CUSTOMERS)
    finally:
        _stop(successor)
    assert seen == 2 * CUSTOMERS, log.read_text()
    _exactly_once(database)
    database.engine.dispose()
