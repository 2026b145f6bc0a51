"""Workers claim due rows one organisation at a time: fairly, and with locks that name the organisation.

An organisation with a backlog must not delay another's single due row, and on Citus a locking query
that spans organisations is refused; both are checked here on the databases CI has.
"""

import re
from datetime import timedelta

from sqlalchemy import select

from attent.core import claims, queue
from attent.core.queue import Job
from attent.wiring import TIMED_STEPS
from tests import factories as make
from tests.conftest import Api

LOCKING = re.compile(r"\bFOR UPDATE\b", re.IGNORECASE)
NAMES_ONE_ORGANISATION = re.compile(r"\w+\.organisation_id = (%\(\w+\)s|\?|\$\d+|'[0-9a-f-]{36}')")


def _enqueue(db, tenant, clock, n, *, due_in):
    for i in range(n):
        queue.enqueue(
            db=db, organisation_id=tenant.organisation_id, kind="test.fair", key=f"fair-{i}", payload={},
            due_at=clock.now() + due_in, at=clock.now(),
        )  # fmt: skip
    db.commit()


def test_a_backlog_in_one_organisation_does_not_delay_another_organisations_single_row(
    db, tenant, other_tenant, clock
):
    _enqueue(db, tenant, clock, 30, due_in=timedelta(minutes=-60))  # long overdue, and many
    _enqueue(db, other_tenant, clock, 1, due_in=timedelta(minutes=-1))
    claimed = queue.claim(db=db, worker_id="w1", now=clock.now(), limit=10)
    by_org = [job.organisation_id for job in claimed]
    assert by_org.count(other_tenant.organisation_id) == 1  # served in the first claim, not after 3
    assert by_org.count(tenant.organisation_id) == 5  # its share of the batch, the rest next time
    db.commit()
    rest = queue.claim(db=db, worker_id="w2", now=clock.now(), limit=100)
    assert len(rest) == 25 and {job.organisation_id for job in rest} == {tenant.organisation_id}


def test_one_organisation_alone_gets_the_whole_batch_in_due_order(db, tenant, clock):
    _enqueue(db, tenant, clock, 12, due_in=timedelta(minutes=-5))
    claimed = queue.claim(db=db, worker_id="w1", now=clock.now(), limit=10)
    assert len(claimed) == 10
    assert [job.due_at for job in claimed] == sorted(job.due_at for job in claimed)


def test_the_organisations_served_in_one_claim_are_capped_and_each_gets_at_least_one(
    db, tenant, other_tenant, clock, monkeypatch
):
    monkeypatch.setattr(claims, "MAX_ORGANISATIONS", 1)  # two organisations due, one served per claim
    _enqueue(db, tenant, clock, 3, due_in=timedelta(minutes=-5))
    _enqueue(db, other_tenant, clock, 3, due_in=timedelta(minutes=-5))
    first = {job.organisation_id for job in queue.claim(db=db, worker_id="w1", now=clock.now(), limit=10)}
    db.commit()
    second = {job.organisation_id for job in queue.claim(db=db, worker_id="w2", now=clock.now(), limit=10)}
    assert len(first) == len(second) == 1 and first != second
    assert db.scalars(select(Job).where(Job.locked_by.is_(None))).all() == []


def test_every_locking_query_of_every_worker_step_names_one_organisation(
    app_client, database, tenant, other_tenant, clock, queries_captured, settings
):
    """What Citus requires of a claim: FOR UPDATE only in a query routed to one organisation's shard."""
    for who in (tenant, other_tenant):
        api = Api(app_client, who.tokens["agent"])
        me = api.get("/api/v1/agents/me").json()["id"]
        api.put(f"/api/v1/agents/{me}/presence", json={"presence": "available"})
        make.promise(api, who.case.id, kind="callback", due=clock.now() + timedelta(minutes=30))
        make.call(api, who.case.id, clock, [("customer", "Waar is mijn pakket?"), ("agent", "Ik kijk.")])
    clock.advance(timedelta(hours=2))
    with queries_captured() as statements:
        moved = {
            step.__name__: step(database=database, now=clock.now(), limit=50, settings=settings)
            for step in TIMED_STEPS
        }
        with database.unit_of_work() as db:
            queue.claim(db=db, worker_id="w", now=clock.now())
    assert moved["advance_due_promises"] >= 2 and moved["score_ended_contacts"] >= 2, moved
    locking = [s for s in statements if LOCKING.search(s)]
    if database.engine.dialect.name == "postgresql":
        assert len(locking) >= 4, locking  # promises and scoring, for each organisation
    for statement in locking:
        assert NAMES_ONE_ORGANISATION.search(statement), statement
