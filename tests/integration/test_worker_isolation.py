"""A worker step that fails is logged and the other steps still run in the same tick: one step's trouble
must not stop e-mail, promises and scoring for every organisation."""

import logging
from datetime import timedelta

from sqlalchemy import select

from attent.coach.models import ContactScorecard
from attent.core.worker import Worker
from attent.promises.models import Promise
from attent.wiring import TIMED_STEPS
from tests.integration.poison import callback, ended_call


def test_a_step_that_raises_is_logged_and_the_other_steps_still_move_rows(
    api, tenant, clock, database, db, mailbox, caplog
):
    promise_id = callback(api, tenant.case.id, clock.now() + timedelta(minutes=10))
    contact_id = ended_call(api, tenant.case.id, clock.now())

    def broken_step(**_: object) -> int:
        raise RuntimeError("this step is broken")

    worker = Worker(
        database=database, clock=clock, settings=mailbox.settings(), steps=[broken_step, *TIMED_STEPS]
    )
    clock.advance(timedelta(minutes=6))  # the call-back turns at risk (five minutes ahead)
    with caplog.at_level(logging.ERROR, logger="attent.core.worker"):
        assert worker.tick() >= 2
    assert "broken_step failed" in caplog.text
    db.expire_all()
    assert db.get(Promise, (tenant.organisation_id, promise_id)).at_risk is True
    assert db.scalar(select(ContactScorecard).where(ContactScorecard.contact_id == contact_id)) is not None


def test_jobs_run_when_a_timed_step_fails(api, tenant, clock, database, db, settings, monkeypatch):
    from attent.core.queue import HANDLERS, Job, enqueue

    done = []
    monkeypatch.setitem(HANDLERS, "test.isolated", lambda db, job, now: done.append(job.key))
    enqueue(db=db, organisation_id=tenant.organisation_id, kind="test.isolated", key="k1", payload={},
            due_at=clock.now(), at=clock.now())  # fmt: skip
    db.commit()

    def broken_step(**_: object) -> int:
        raise RuntimeError("this step is broken")

    worker = Worker(database=database, clock=clock, settings=settings, steps=[broken_step])
    worker.tick()
    assert done == ["k1"]
    assert db.scalar(select(Job.done_at).where(Job.key == "k1")) is not None
