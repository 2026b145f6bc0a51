"""Dry run: what a rule would have done over past signals, before it is switched on; nothing is written."""

import subprocess
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from attent.core.clock import FrozenClock
from attent.core.db import Database
from attent.customers.schemas import CustomerCreate
from attent.customers.service import create_customer
from attent.signals.models import RuleFiring, Signal
from attent.signals.rules import put_rulebook
from attent.signals.schemas import SignalIn
from attent.signals.service import take_in
from tests.conftest import make_tenant
from tests.integration.rulebooks import FAILED_DELIVERY, document
from tests.integration.test_cli import ATTENT

OFF = {**FAILED_DELIVERY, "active": False}


def _post(admin_api, at, i, attempt=1):
    admin_api.post("/api/v1/signals", json={
        "type": "delivery.failed", "customer_ref": {"system": "shop", "value": "C-1042"},
        "occurred_at": at.isoformat(), "attributes": {"order_id": f"O-{i}", "attempt": attempt},
        "external_id": f"d-{i}",
    })  # fmt: skip


def test_a_switched_off_rule_shows_what_it_would_have_done(admin_api, clock, db):
    ids = {
        r["key"]: r["state"]["id"] for r in admin_api.put("/api/v1/rules", json=document(OFF)).json()["rules"]
    }
    start = clock.now()
    _post(admin_api, start - timedelta(days=40), 0)  # before the window
    _post(admin_api, start - timedelta(days=3), 1)
    _post(admin_api, start - timedelta(days=2), 2, attempt=0)  # conditions do not hold
    _post(admin_api, start - timedelta(days=2, hours=-1), 3)
    _post(admin_api, datetime(2026, 11, 22, 22, 30, tzinfo=UTC), 4)  # 23:30 local: quiet hours, and capped
    before = (
        db.scalar(select(func.count()).select_from(Signal)),
        db.scalar(select(func.count()).select_from(RuleFiring)),
    )
    response = admin_api.get(f"/api/v1/rules/{ids['failed-delivery']}/dry-run", params={"since": "30d"})
    assert response.status_code == 200, response.text
    run = response.json()
    assert run["signals_seen"] == 4 and run["would_fire"] == 2 and run["held"] == 1
    outcomes = [(line["outcome"], line["reason"]) for line in run["lines"]]
    assert outcomes == [("would_fire", None), ("would_fire", None), ("held", "frequency_cap")]
    assert run["lines"][0]["actions"] == ["open_case", "make_promise", "send_message"]
    after = (
        db.scalar(select(func.count()).select_from(Signal)),
        db.scalar(select(func.count()).select_from(RuleFiring)),
    )
    assert before == after
    assert admin_api.get(f"/api/v1/rules/{ids['failed-delivery']}/dry-run", params={"since": "soon"}).json()[
        "errors"
    ][0]["path"] == ["query", "since"]


def test_the_quiet_hours_note_and_the_command_line(tmp_path):
    url = f"sqlite:///{tmp_path / 'attent.db'}"
    subprocess.run([ATTENT, "migrate"], env={"ATTENT_DATABASE_URL": url, "PATH": "/usr/bin:/bin"}, check=True,
                   capture_output=True)  # fmt: skip
    database = Database.from_url(url)
    now = datetime.now(UTC)
    clock = FrozenClock(now - timedelta(days=1))
    with database.unit_of_work() as db:
        tenant = make_tenant(db, clock, "dry")
        put_rulebook(db=db, actor=tenant.admin, document=document(OFF), at=clock.now())
        piet = CustomerCreate(name="Piet", external_refs={"shop": "P"})
        create_customer(db=db, actor=tenant.agent, data=piet, at=clock.now())
        late = now.replace(hour=22, minute=30) - timedelta(days=1)  # 23:30 or 00:30 in Amsterdam
        signal = SignalIn.model_validate({
            "type": "delivery.failed", "customer_ref": {"system": "shop", "value": "P"},
            "occurred_at": late.isoformat(), "attributes": {"order_id": "O-1", "attempt": 1},
        })  # fmt: skip
        take_in(db=db, organisation_id=tenant.organisation_id, source="api", signals=[signal], batch=False,
                at=clock.now())  # fmt: skip
    database.engine.dispose()
    result = subprocess.run(
        [ATTENT, "rules", "test", "failed-delivery", "--org", "dry", "--since", "3d"],
        env={"ATTENT_DATABASE_URL": url, "PATH": "/usr/bin:/bin", "COLUMNS": "250"},
        capture_output=True, text=True, check=False, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "would_fire" in result.stdout and "quiet_hours" in result.stdout
    assert "Would act on 1; held back 0; nothing was written." in result.stdout
    missing = subprocess.run(
        [ATTENT, "rules", "test", "nope", "--org", "dry"],
        env={"ATTENT_DATABASE_URL": url, "PATH": "/usr/bin:/bin"},
        capture_output=True, text=True, check=False, timeout=60,
    )  # fmt: skip
    assert missing.returncode == 1 and "No rule nope exists." in missing.stdout


def test_a_signal_stored_with_a_date_far_ahead_is_not_a_past_signal(admin_api, clock, db):
    """A signal dated 9999 (stored before dates were checked) plus the rule's delay overflowed: a 500."""
    from tests.integration.poison import AFTER_DELIVERY, poison, signal

    ids = {
        r["key"]: r["state"]["id"]
        for r in admin_api.put("/api/v1/rules", json=document(AFTER_DELIVERY)).json()["rules"]
    }
    poison(db, signal(admin_api, "far"), clock.now())
    signal(admin_api, "near")
    response = admin_api.get(f"/api/v1/rules/{ids['after-delivery']}/dry-run", params={"since": "30d"})
    assert response.status_code == 200, response.text
    assert response.json()["signals_seen"] == 1
