"""The worker evaluates signals against the rules: actions once, behind frequency caps, quiet hours and
consent; a delayed rule waits for its time; a rule that fails is paused and its signals are kept."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from attent.cases.models import Case
from attent.channels.models import OutboundMessage
from attent.promises.models import Promise, PromiseSource
from attent.recovery.models import CheckIn, CheckInMode, Gesture, GestureState
from attent.signals.jobs import evaluate_signals, run_due_firings
from attent.signals.models import FiringState, RuleFiring
from attent.timeline.models import TimelineEvent
from tests.integration.rulebooks import FAILED_DELIVERY, LATE_ARRIVAL, document


@pytest.fixture
def rules(admin_api):
    """Save a rules document; fails the test if it is refused."""

    def save(*rules, **settings):
        response = admin_api.put("/api/v1/rules", json=document(*rules, **settings))
        assert response.status_code == 200, response.text
        return {r["key"]: r["state"]["id"] for r in response.json()["rules"]}

    return save


@pytest.fixture
def send(admin_api, clock):
    """Post one signal for the tenant's customer (by reference) and return its id."""
    counter = iter(range(1, 10_000))

    def post(type="delivery.failed", occurred_at=None, ref="C-1042", **attributes):
        body = {
            "type": type,
            "customer_ref": {"system": "shop", "value": ref},
            "occurred_at": (occurred_at or clock.now()).isoformat(),
            "attributes": attributes,
            "external_id": f"ev-{next(counter)}",
        }
        response = admin_api.post("/api/v1/signals", json=body)
        assert response.status_code == 202, response.text
        return response.json()["items"][0]["id"]

    return post


def _evaluate(database, clock):
    return evaluate_signals(database=database, now=clock.now())


def _firings(db, state=None):
    query = select(RuleFiring)
    if state is not None:
        query = query.where(RuleFiring.state == state)
    return list(db.scalars(query))


def _events(db, kind):
    return list(
        db.scalars(select(TimelineEvent).where(TimelineEvent.kind == kind).order_by(TimelineEvent.at))
    )


def test_a_failed_delivery_opens_a_case_makes_a_promise_and_tells_the_customer_once(
    rules, send, database, clock, db, admin_api, tenant
):
    rules(FAILED_DELIVERY)
    signal_id = send(order_id="O-981", attempt=1)
    assert _evaluate(database, clock) == 1
    assert _evaluate(database, clock) == 0  # evaluated once, whatever happens next
    [case] = db.scalars(select(Case).where(Case.type == "proactive"))
    assert case.subject == "Bezorging mislukt" and case.description == "Check with the carrier."
    assert case.customer_id == tenant.customer.id and case.priority.value == "high"
    [promise] = db.scalars(select(Promise).where(Promise.case_id == case.id))
    assert promise.source is PromiseSource.RULE and promise.due_by == clock.now() + timedelta(hours=4)
    [message] = db.scalars(select(OutboundMessage).where(OutboundMessage.case_id == case.id))
    assert message.subject.startswith("Uw bestelling O-981") and message.recipient == tenant.customer.email
    assert message.next_attempt_at == clock.now()  # 10:00 in Amsterdam: no quiet hours
    [firing] = _firings(db)
    assert firing.state is FiringState.FIRED and firing.case_id == case.id
    [fired] = _events(db, "rule.fired")
    assert fired.data["actions"] == ["open_case", "make_promise", "send_message"]
    read = admin_api.get(f"/api/v1/signals/{signal_id}").json()
    assert read["state"] == "evaluated" and read["firings"][0]["rule_key"] == "failed-delivery"


def test_conditions_on_attributes_decide(rules, send, database, clock, db):
    rules(LATE_ARRIVAL)
    send("booking.arriving", booking_id="B-1", arrives_at="2026-11-23T21:30:00+01:00")
    send("booking.arriving", booking_id="B-2", arrives_at="2026-11-23T20:59:00+01:00")
    send("booking.arriving", booking_id="B-3")  # no arrival time: a missing value fails the test
    assert _evaluate(database, clock) == 3
    assert [c.subject for c in db.scalars(select(Case).where(Case.type == "proactive"))] == [
        "Late arrival: dinner ready"
    ]


def test_local_time_is_the_customers_own_zone_when_they_shared_it(
    rules, send, database, clock, db, admin_api, tenant
):
    rules(LATE_ARRIVAL)
    admin_api.patch(
        f"/api/v1/customers/{tenant.customer.id}",
        json={"facts": {"timezone": {"value": "America/New_York", "consent": "booking form"}}},
    )
    send("booking.arriving", arrives_at="2026-11-24T02:30:00Z")  # 21:30 in New York, 03:30 in Amsterdam
    _evaluate(database, clock)
    assert len(_firings(db, FiringState.FIRED)) == 1


def test_the_frequency_cap_holds_back_a_third_contact_and_says_so(rules, send, database, clock, db):
    rules(FAILED_DELIVERY)
    for i in range(3):
        send(order_id=f"O-{i}", attempt=1)
    _evaluate(database, clock)
    assert len(_firings(db, FiringState.FIRED)) == 2
    [held] = _firings(db, FiringState.HELD)
    assert held.reason == "frequency_cap"
    [event] = _events(db, "rule.held")
    assert event.data["reason"] == "frequency_cap" and event.case_id is None
    assert len(list(db.scalars(select(Case).where(Case.type == "proactive")))) == 2
    clock.advance(timedelta(days=7, minutes=1))
    send(order_id="O-later", attempt=1)
    _evaluate(database, clock)
    assert len(_firings(db, FiringState.FIRED)) == 3  # a week later the cap has room again


def test_messages_in_quiet_hours_wait_for_the_morning(rules, send, database, clock, db):
    rules(FAILED_DELIVERY)
    clock.set(datetime(2026, 11, 23, 22, 30, tzinfo=UTC))  # 23:30 in Amsterdam
    send(order_id="O-7", attempt=2)
    _evaluate(database, clock)
    [message] = db.scalars(select(OutboundMessage))
    assert message.next_attempt_at == datetime(2026, 11, 24, 7, 0, tzinfo=UTC)  # 08:00 local
    [event] = _events(db, "rule.held")
    assert event.data["reason"] == "quiet_hours" and event.data["until"].startswith("2026-11-24T07:00")
    assert len(_firings(db, FiringState.FIRED)) == 1  # the case is there tonight; only the message waits


BIRTHDAY_IN_STAY = {
    "key": "birthday-stay",
    "name": "Birthday during the stay",
    "when": {"signal": "booking.arriving"},
    "if": [
        {
            "field": "customer.birthday",
            "op": "falls_between",
            "value": ["signal.arrives_at", "signal.departs_on"],
        }
    ],
    "then": [{"do": "open_case", "subject": "Verjaardag tijdens verblijf", "resolved": True}],
}


def test_birthday_rules_need_the_consented_fact(rules, send, database, clock, db, admin_api, tenant):
    rules(BIRTHDAY_IN_STAY)
    stay = {"arrives_at": "2026-11-23T15:00:00+01:00", "departs_on": "2026-11-27"}
    send("booking.arriving", **stay)
    _evaluate(database, clock)
    [held] = _firings(db, FiringState.HELD)
    assert held.reason == "no_consent"
    assert _events(db, "rule.held")[0].data["reason"] == "no_consent"
    admin_api.patch(
        f"/api/v1/customers/{tenant.customer.id}",
        json={"facts": {"birthday": {"value": "1984-11-25", "consent": "asked at booking"}}},
    )
    send("booking.arriving", **stay)
    send("booking.arriving", arrives_at="2026-12-01T15:00:00+01:00", departs_on="2026-12-03")
    _evaluate(database, clock)
    [case] = db.scalars(select(Case).where(Case.type == "proactive"))
    assert case.subject == "Verjaardag tijdens verblijf" and case.status.value == "resolved"


def test_context_conditions_count_signals_and_recent_contact(rules, send, database, clock, db, api, tenant):
    second_failure = {
        "key": "second-failure",
        "name": "Second failed delivery this month",
        "when": {"signal": "delivery.failed"},
        "if": [
            {"field": "customer.signals_this_month.delivery.failed", "op": "gte", "value": 2},
            {"field": "customer.days_since_contact", "op": "gte", "value": 7},
        ],
        "then": [{"do": "open_case", "subject": "Tweede mislukte bezorging"}],
    }
    rules(second_failure)
    send(order_id="O-1", attempt=1)
    _evaluate(database, clock)
    assert _firings(db) == []
    send(order_id="O-2", attempt=1)
    _evaluate(database, clock)
    assert len(_firings(db, FiringState.FIRED)) == 1
    api.post(f"/api/v1/cases/{tenant.case.id}/contacts", json={"channel": "phone"})
    send(order_id="O-3", attempt=1)
    _evaluate(database, clock)
    assert len(_firings(db)) == 1  # contacted today: no third case


CHECK_AFTER_DELIVERY = {
    "key": "after-delivery",
    "name": "Three days after delivery",
    "when": {"signal": "order.delivered", "after": "3d"},
    "if": [{"field": "customer.days_since_contact", "op": "gte", "value": 2}],
    "then": [{"do": "open_case", "subject": "Alles goed met de levering?"}],
}


def test_a_delayed_rule_is_a_durable_row_that_acts_when_due(rules, send, database, clock, db):
    rules(CHECK_AFTER_DELIVERY)
    send("order.delivered", order_id="O-5")
    _evaluate(database, clock)
    [firing] = _firings(db)
    assert firing.state is FiringState.SCHEDULED and firing.due_at == clock.now() + timedelta(days=3)
    assert run_due_firings(database=database, now=clock.now()) == 0
    clock.advance(timedelta(days=3))
    assert run_due_firings(database=database, now=clock.now()) == 1
    assert run_due_firings(database=database, now=clock.now()) == 0
    db.expire_all()
    assert _firings(db)[0].state is FiringState.FIRED
    assert len(list(db.scalars(select(Case).where(Case.type == "proactive")))) == 1


def test_a_rule_that_fails_is_paused_keeps_its_signals_and_runs_them_when_resumed(
    rules, send, database, clock, db, admin_api
):
    ids = rules(FAILED_DELIVERY)
    send(attempt=1)  # no order_id: the message template cannot be filled in
    send(order_id="O-2", attempt=1)
    _evaluate(database, clock)
    rule = admin_api.get(f"/api/v1/rules/{ids['failed-delivery']}").json()
    assert rule["state"]["paused_at"] is not None
    assert rule["state"]["error"].startswith("send_message: UndefinedError")
    states = sorted(f.state.value for f in _firings(db))
    assert states == ["failed", "waiting"]
    assert list(db.scalars(select(Case).where(Case.type == "proactive"))) == []  # all or nothing
    assert list(db.scalars(select(Promise).where(Promise.source == PromiseSource.RULE))) == []
    # fixed: the message goes; resumed: both kept signals run
    fixed = {**FAILED_DELIVERY, "then": FAILED_DELIVERY["then"][:2]}
    rules(fixed)
    assert admin_api.get(f"/api/v1/rules/{ids['failed-delivery']}").json()["state"]["paused_at"] is not None
    resumed = admin_api.post(f"/api/v1/rules/{ids['failed-delivery']}/resume")
    assert resumed.status_code == 200 and resumed.json()["state"]["error"] is None
    assert admin_api.post(f"/api/v1/rules/{ids['failed-delivery']}/resume").status_code == 409
    assert run_due_firings(database=database, now=clock.now()) == 2
    db.expire_all()
    assert sorted(f.state.value for f in _firings(db)) == ["fired", "fired"]
    counts = admin_api.get(f"/api/v1/rules/{ids['failed-delivery']}").json()["state"]["counts"]
    assert counts == {"fired": 2}


BIRTHDAY_SURPRISE = {
    **BIRTHDAY_IN_STAY,
    "key": "birthday-surprise",
    "then": [
        {"do": "open_case", "subject": "Verjaardag tijdens verblijf"},
        {"do": "suggest_gesture", "reason": "Jarig tijdens het verblijf", "occasion": "birthday"},
    ],
}
CHECK_IN_AFTER_STAY = {
    "key": "after-the-stay",
    "name": "Ask how the stay was",
    "when": {"signal": "booking.checked_out"},
    "then": [{"do": "schedule_check_in", "after": "1d", "mode": "message", "note": "Was alles naar wens?"}],
}


def test_rules_suggest_a_surprise_for_a_lead_and_schedule_a_check_in(
    rules, send, database, clock, db, admin_api, tenant
):
    admin_api.patch(
        f"/api/v1/customers/{tenant.customer.id}",
        json={"facts": {"birthday": {"value": "1984-11-25", "consent": "asked at booking"}}},
    )
    rules(BIRTHDAY_SURPRISE, CHECK_IN_AFTER_STAY)
    send("booking.arriving", arrives_at="2026-11-23T15:00:00+01:00", departs_on="2026-11-27")
    send("booking.checked_out", booking_id="B-7")
    assert _evaluate(database, clock) == 2
    [case] = db.scalars(select(Case).where(Case.type == "proactive"))
    [gesture] = db.scalars(select(Gesture).where(Gesture.customer_id == tenant.customer.id))
    assert gesture.occasion == "birthday" and gesture.case_id == case.id
    assert gesture.state is GestureState.PENDING_APPROVAL  # a surprise always waits for a lead
    assert gesture.source.startswith("rule:")
    [check_in] = db.scalars(select(CheckIn).where(CheckIn.customer_id == tenant.customer.id))
    assert check_in.due_at == clock.now() + timedelta(days=1) and check_in.mode is CheckInMode.MESSAGE
    assert check_in.note == "Was alles naar wens?"
    assert [f.state for f in _firings(db)] == [FiringState.FIRED, FiringState.FIRED]
