"""A row that keeps failing is set aside instead of blocking its queue: when a batch fails, its rows are
done one by one, the good ones go through, and a row that failed three times is left out of claims."""

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from attent.coach.models import ContactScorecard
from attent.core.setaside import SET_ASIDE_AFTER, SetAside, do_claimed
from attent.core.worker import Worker
from attent.promises.models import Promise, PromiseState
from attent.signals.models import RuleFiring, Signal, SignalState
from attent.wiring import TIMED_STEPS
from tests.conftest import Api
from tests.integration.poison import AFTER_DELIVERY, ON_DELIVERY, callback, ended_call, poison, rules, signal


def _state(db, model, key):
    db.expire_all()
    return db.get(model, key)


def _counts(db, kind):
    db.expire_all()
    return list(db.scalars(select(SetAside).where(SetAside.kind == kind)))


def test_a_poisoned_signal_is_set_aside_while_another_organisation_goes_on(
    app_client, tenant, other_tenant, clock, database, db, mailbox
):
    """The issue's case: a rule with `after: 3d` and a signal dated 9999-12-30 (stored before dates were
    checked, or written by hand) raised OverflowError on every tick and stopped the worker for everyone."""
    admin, other_admin = (
        Api(app_client, tenant.tokens["admin"]),
        Api(app_client, other_tenant.tokens["admin"]),
    )
    other_agent = Api(app_client, other_tenant.tokens["agent"])
    rules(admin, AFTER_DELIVERY)
    rules(other_admin, ON_DELIVERY)
    poisoned = signal(admin, "poisoned")
    healthy = signal(admin, "healthy")
    poison(db, poisoned, clock.now())
    theirs = signal(other_admin, "theirs")
    assert other_admin.put("/api/v1/promise-settings", json={"tell_customer": True}).status_code == 200
    promise_id = callback(other_agent, other_tenant.case.id, clock.now() + timedelta(minutes=10))
    contact_id = ended_call(other_agent, other_tenant.case.id, clock.now())
    worker = Worker(database=database, clock=clock, settings=mailbox.settings(), steps=TIMED_STEPS)
    org, other = tenant.organisation_id, other_tenant.organisation_id

    clock.advance(timedelta(minutes=6))  # the call-back turns at risk (five minutes ahead)
    worker.tick()
    # the other organisation: signal evaluated and its rule fired, promise at risk, both e-mails sent, scored
    assert _state(db, Signal, (other, theirs)).state is SignalState.EVALUATED
    assert db.scalar(select(RuleFiring).where(RuleFiring.signal_id == theirs)).fired_at is not None
    assert _state(db, Promise, (other, promise_id)).at_risk is True
    assert [m["To"] for m in mailbox.messages] == ["marieke@villa-oleander.example"] * 2
    assert db.scalar(select(ContactScorecard).where(ContactScorecard.contact_id == contact_id)) is not None
    # the same organisation's healthy signal went through; the poisoned one failed once
    assert _state(db, Signal, (org, healthy)).state is SignalState.EVALUATED
    assert _state(db, Signal, (org, poisoned)).state is SignalState.PENDING
    [count] = _counts(db, "signal")
    assert (count.organisation_id, count.row_id, count.attempts, count.failed_at) == (org, poisoned, 1, None)
    assert count.last_error.startswith("ValueError: 9999-12-30")

    clock.advance(timedelta(minutes=10))  # past its grace: broken
    worker.tick()
    assert _state(db, Promise, (other, promise_id)).state is PromiseState.BROKEN
    clock.advance(timedelta(seconds=5))
    worker.tick()
    [count] = _counts(db, "signal")
    assert count.attempts == SET_ASIDE_AFTER and count.failed_at == clock.now()
    clock.advance(timedelta(seconds=5))
    worker.tick()  # set aside: no longer claimed, nor counted
    assert _counts(db, "signal")[0].attempts == SET_ASIDE_AFTER
    assert _state(db, Signal, (org, poisoned)).state is SignalState.PENDING


def test_a_row_that_fails_and_then_goes_through_forgets_its_failures(tenant, clock, database, db, api):
    promise_id = callback(api, tenant.case.id, clock.now() + timedelta(minutes=10))
    other_id = callback(api, tenant.case.id, clock.now() + timedelta(minutes=20))
    clock.advance(timedelta(minutes=16))
    query = select(Promise).where(Promise.check_at <= clock.now()).order_by(Promise.check_at)
    calls = []

    def flaky(db, batch):
        calls.append([p.id for p in batch])
        if len(batch) > 1 or (batch[0].id == promise_id and len(calls) < 5):
            raise RuntimeError("not this time")  # the batch fails; the first promise alone, twice
        return len(batch)

    # the batch fails, the first promise fails alone, the other goes through alone
    assert do_claimed(database=database, kind="promise", query=query, work=flaky, now=clock.now()) == [1]
    assert calls == [[promise_id, other_id], [promise_id], [other_id]]
    [count] = _counts(db, "promise")
    assert (count.row_id, count.attempts, count.case_id) == (promise_id, 1, tenant.case.id)
    # once it goes through on its own, its failures are forgotten
    assert do_claimed(database=database, kind="promise", query=query, work=flaky, now=clock.now()) == [1, 1]
    assert calls[3:] == [[promise_id, other_id], [promise_id], [other_id]] and _counts(db, "promise") == []


def test_counted_failures_are_forgotten_after_a_quiet_day(tenant, clock, database, db, api, settings):
    callback(api, tenant.case.id, clock.now() + timedelta(minutes=10))
    clock.advance(timedelta(minutes=6))

    def fails(db, batch):
        raise RuntimeError("not now")

    query = select(Promise).where(Promise.check_at <= clock.now())
    do_claimed(database=database, kind="promise", query=query, work=fails, now=clock.now())
    worker = Worker(database=database, clock=clock, settings=settings, steps=TIMED_STEPS)
    worker.maintain()
    assert len(_counts(db, "promise")) == 1  # failed minutes ago: still counted
    clock.advance(timedelta(days=1, minutes=1))
    worker.maintain()
    assert _counts(db, "promise") == []


def test_a_database_that_is_down_blames_no_row(tenant, clock, database, db, api):
    callback(api, tenant.case.id, clock.now() + timedelta(minutes=10))
    clock.advance(timedelta(minutes=6))

    def unreachable(db, batch):
        raise OperationalError("SELECT 1", {}, Exception("server closed the connection unexpectedly"))

    query = select(Promise).where(Promise.check_at <= clock.now())
    with pytest.raises(OperationalError):
        do_claimed(database=database, kind="promise", query=query, work=unreachable, now=clock.now())
    assert _counts(db, "promise") == []


def test_the_error_kept_names_no_sql_and_no_values(tenant, clock, database, db, api):
    from sqlalchemy.exc import IntegrityError

    callback(api, tenant.case.id, clock.now() + timedelta(minutes=10))
    clock.advance(timedelta(minutes=6))

    def clash(db, batch):
        orig = Exception(
            'duplicate key value violates unique constraint "uq_x"\nDETAIL: Key (email)=(a@b.nl)'
        )
        raise IntegrityError("INSERT INTO agents (email) VALUES (%(email)s)", {"email": "a@b.nl"}, orig)

    query = select(Promise).where(Promise.check_at <= clock.now())
    do_claimed(database=database, kind="promise", query=query, work=clash, now=clock.now())
    [count] = _counts(db, "promise")
    assert count.last_error == 'Exception: duplicate key value violates unique constraint "uq_x"'
