"""Durable jobs: enqueue once per key, claim when due, retry with backoff, survive a lost lease."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from attent.core import queue
from attent.core.queue import Job, claim, enqueue, run_due_jobs

DONE: list[str] = []


def _remember(db, job, now):
    DONE.append(job.payload["word"])


def _explode(db, job, now):
    raise RuntimeError("courier API is down")


queue.register("test.remember", _remember)
queue.register("test.explode", _explode)


@pytest.fixture(autouse=True)
def _clean():
    DONE.clear()


def _enqueue(db, tenant, clock, kind="test.remember", key="k", due_in=timedelta(0), word="hallo"):
    enqueue(
        db=db,
        organisation_id=tenant.organisation_id,
        kind=kind,
        key=key,
        payload={"word": word},
        due_at=clock.now() + due_in,
        at=clock.now(),
    )
    db.commit()


def test_a_job_runs_once_when_due(db, database, tenant, clock):
    _enqueue(db, tenant, clock, due_in=timedelta(minutes=10))
    _enqueue(db, tenant, clock, due_in=timedelta(minutes=10), word="again")  # same key: no second job
    assert run_due_jobs(database=database, worker_id="w1", now=clock.now()) == 0
    clock.advance(timedelta(minutes=10))
    assert run_due_jobs(database=database, worker_id="w1", now=clock.now()) == 1
    assert run_due_jobs(database=database, worker_id="w1", now=clock.now()) == 0
    assert DONE == ["hallo"]


def test_a_failing_job_is_retried_with_backoff_and_keeps_its_error(db, database, tenant, clock):
    _enqueue(db, tenant, clock, kind="test.explode")
    assert run_due_jobs(database=database, worker_id="w1", now=clock.now()) == 0
    db.expire_all()
    job = db.scalar(select(Job).where(Job.key == "k"))
    assert job.attempts == 1 and job.done_at is None and "courier API is down" in job.last_error
    assert job.due_at == clock.now() + timedelta(seconds=8)
    for _ in range(queue.MAX_ATTEMPTS):
        clock.advance(timedelta(hours=1))
        run_due_jobs(database=database, worker_id="w1", now=clock.now())
    db.expire_all()
    job = db.scalar(select(Job).where(Job.key == "k"))
    assert job.failed_at is not None and job.attempts == queue.MAX_ATTEMPTS


def test_a_claim_lost_by_a_dead_worker_is_taken_over_after_the_lease(db, database, tenant, clock):
    _enqueue(db, tenant, clock)
    with database.unit_of_work() as uow:
        [job] = claim(db=uow, worker_id="dead", now=clock.now())
    assert run_due_jobs(database=database, worker_id="w2", now=clock.now()) == 0  # still leased to "dead"
    clock.advance(queue.LEASE + timedelta(seconds=1))
    assert run_due_jobs(database=database, worker_id="w2", now=clock.now()) == 1
    # the dead worker waking up cannot finish it a second time
    assert queue.run_job(database=database, job=job, worker_id="dead", now=clock.now()) is False
    assert DONE == ["hallo"]


def test_unknown_job_kinds_fail_loudly(db, database, tenant, clock):
    _enqueue(db, tenant, clock, kind="test.nobody")
    run_due_jobs(database=database, worker_id="w1", now=clock.now())
    db.expire_all()
    assert "no handler registered" in db.scalar(select(Job.last_error).where(Job.key == "k"))
