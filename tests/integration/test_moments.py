"""Every date and time that comes in is timezone-aware and between 1970 and 2100, or a 422 naming it.

One signal dated 9999 stopped the worker for everyone; a naive `since` was a 500. The window is checked
once, in one type (`attent.core.moments.Moment`), for every body field and query parameter.
"""

import pytest

from tests.conftest import Api
from tests.integration.rulebooks import document

FAR = "9999-12-31T23:59:59Z"
EARLY = "0001-01-01T00:00:00+01:00"
NAIVE = "2026-11-23T10:00:00"


def _refused(response, *path):
    assert response.status_code == 422, response.text
    errors = {tuple(e["path"]): e["message"] for e in response.json()["errors"]}
    assert path in errors, errors
    return errors[path]


def _signal(**overrides):
    body = {
        "type": "order.shipped",
        "customer_ref": {"system": "shop", "value": "C-1042"},
        "occurred_at": "2026-11-23T08:30:00+01:00",
        "attributes": {"order_id": "O-1"},
    }
    return body | overrides


@pytest.mark.parametrize("value", [FAR, EARLY, "1969-12-31T23:59:59Z", "2100-01-01T00:00:01Z"])
def test_a_promise_due_outside_the_window_is_refused_naming_the_field(api, tenant, value):
    response = api.post(
        f"/api/v1/cases/{tenant.case.id}/promises", json={"kind": "callback", "due_at": value}
    )
    assert "tussen 1970-01-01 en 2100-01-01" in _refused(response, "body", "due_at")  # the agent reads Dutch
    window = {"kind": "delivery", "due_from": "2026-11-24T08:00:00Z", "due_by": value}
    _refused(api.post(f"/api/v1/cases/{tenant.case.id}/promises", json=window), "body", "due_by")
    assert api.get("/api/v1/promises").json()["items"] == []


def test_a_naive_time_is_refused_with_an_example_of_a_zone(api, tenant):
    response = api.post(
        f"/api/v1/cases/{tenant.case.id}/promises", json={"kind": "callback", "due_at": NAIVE}
    )
    assert "zone" in _refused(response, "body", "due_at")


def test_the_window_edges_are_accepted(api, tenant, clock):
    case = f"/api/v1/cases/{tenant.case.id}"
    edge = api.post(f"{case}/promises", json={"kind": "delivery", "due_at": "2099-12-31T23:59:00+00:00"})
    assert edge.status_code == 201, edge.text
    started = api.post(f"{case}/contacts", json={"channel": "email", "started_at": "1970-01-01T00:00:00Z"})
    assert started.status_code == 201, started.text


def test_contacts_and_messages_outside_the_window_are_refused(api, tenant):
    case = f"/api/v1/cases/{tenant.case.id}"
    _refused(
        api.post(f"{case}/contacts", json={"channel": "phone", "started_at": EARLY}), "body", "started_at"
    )
    ended = {"channel": "phone", "started_at": "2026-11-23T08:00:00Z", "ended_at": FAR, "outcome": "resolved"}
    _refused(api.post(f"{case}/contacts", json=ended), "body", "ended_at")
    message = {"channel": "chat", "messages": [{"speaker": "customer", "text": "Hallo", "at": FAR}]}
    _refused(api.post(f"{case}/contacts", json=message), "body", "messages", 0, "at")
    contact = api.post(f"{case}/contacts", json={"channel": "phone"}).json()
    end = api.patch(f"/api/v1/contacts/{contact['id']}", json={"ended_at": FAR, "outcome": "resolved"})
    _refused(end, "body", "ended_at")
    one = {"speaker": "customer", "text": "Hallo", "at": NAIVE}
    _refused(api.post(f"/api/v1/contacts/{contact['id']}/messages", json=one), "body", "at")


def test_signals_and_their_date_attributes_outside_the_window_are_refused(admin_api):
    far = _signal(occurred_at="9999-12-30T00:00:00Z")
    _refused(admin_api.post("/api/v1/signals", json=far), "body", "occurred_at")
    _refused(admin_api.post("/api/v1/signals", json=_signal(occurred_at=NAIVE)), "body", "occurred_at")
    late = _signal(type="delivery.late", attributes={"order_id": "O-1", "new_expected_at": FAR})
    assert "2100" in _refused(admin_api.post("/api/v1/signals", json=late), "attributes", "new_expected_at")
    stay = _signal(type="booking.arriving", attributes={"booking_id": "B-1", "departs_on": "0001-01-02"})
    _refused(
        admin_api.post("/api/v1/signals", json={"signals": [stay]}), "signals", 0, "attributes", "departs_on"
    )
    assert admin_api.get("/api/v1/signals").json()["items"] == []


def test_a_rule_comparing_with_a_date_outside_the_window_or_no_date_at_all_is_refused(admin_api):
    for value in ("0001-01-01", "2026-13-45"):
        rule = {
            "key": "birthday-on-the-day",
            "name": "Birthday",
            "when": {"signal": "customer.birthday"},
            "if": [{"field": "signal.birthday", "op": "eq", "value": value}],
            "then": [{"do": "open_case", "subject": "Birthday"}],
        }
        response = admin_api.put("/api/v1/rules", json=document(rule))
        assert response.status_code == 422, response.text
        assert any(e["path"][-1] == "value" for e in response.json()["errors"])
    assert admin_api.get("/api/v1/rules").json()["rules"] == []


def test_check_ins_and_shift_ends_outside_the_window_are_refused(api, tenant):
    check_in = {"customer_id": str(tenant.customer.id), "due_at": FAR, "note": "Alles goed?"}
    _refused(api.post("/api/v1/recovery/check-ins", json=check_in), "body", "due_at")
    presence = {"presence": "available", "until": EARLY}
    _refused(api.put(f"/api/v1/agents/{tenant.agent.id}/presence", json=presence), "body", "until")


def test_the_coach_refuses_transcripts_dated_outside_the_window(api):
    body = {"messages": [{"speaker": "agent", "text": "Goedemorgen", "at": FAR}]}
    _refused(api.post("/api/v1/coach/score", json=body), "body", "messages", 0, "at")
    text = api.post(
        "/api/v1/coach/score",
        params={"started_at": EARLY},
        content=b"Agent: Goedemorgen",
        headers={"content-type": "text/plain"},
    )
    _refused(text, "query", "started_at")


@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("/api/v1/recovery/outcomes?since=2026-01-01", "since"),
        ("/api/v1/recovery/outcomes?until=9999-12-31T23:59:59Z", "until"),
        ("/api/v1/promises?due_before=2026-01-01T00:00:00", "due_before"),
        ("/api/v1/promises?due_after=0001-01-01T00:00:00Z", "due_after"),
        ("/api/v1/promise-metrics?since=9999-12-31T00:00:00Z", "since"),
        ("/api/v1/promise-metrics?until=2026-01-01", "until"),
    ],
)
def test_query_parameters_outside_the_window_or_naive_are_422_not_500(app_client, tenant, url, name):
    lead = Api(app_client, tenant.tokens["lead"])
    _refused(lead.get(url), "query", name)


def test_aware_query_parameters_still_work(app_client, tenant):
    lead = Api(app_client, tenant.tokens["lead"])
    response = lead.get("/api/v1/recovery/outcomes", params={"since": "2026-01-01T00:00:00+01:00"})
    assert response.status_code == 200, response.text
    assert response.json()["since"].startswith("2026-01-01")


def test_pages_refuse_dates_outside_the_window_without_a_500(app_client, db, tenant):
    from tests.integration.test_recovery_pages import _sign_in, _with_password

    _with_password(db, tenant.lead)
    lead = _sign_in(app_client, tenant.lead.email)
    assert lead.get("/recovery/outcomes?since=0001-01-01").status_code == 422
    assert lead.get("/recovery/outcomes?until=9999-12-31").status_code == 422
    assert lead.get("/recovery/outcomes?since=2026-01-01").status_code == 200
    form = {"csrf": lead.csrf, "kind": "callback", "due_at": "9999-12-31T23:59"}
    response = lead.post(f"/cases/{tenant.case.id}/promise", data=form, follow_redirects=False)
    assert response.status_code == 422 and "2100-01-01" in response.text


def test_the_longest_durations_added_to_a_time_at_the_window_edge_stay_safe(
    app_client, tenant, database, clock, db
):
    from sqlalchemy import select

    from attent.core.setaside import SetAside
    from attent.signals.jobs import evaluate_signals
    from attent.signals.models import RuleFiring

    admin = Api(app_client, tenant.tokens["admin"])
    rule = {
        "key": "a-year-later",
        "name": "A year after delivery",
        "when": {"signal": "order.delivered", "after": "366d"},
        "then": [{"do": "open_case", "subject": "Een jaar later"}],
    }
    assert admin.put("/api/v1/rules", json=document(rule)).status_code == 200
    edge = _signal(type="order.delivered", occurred_at="2100-01-01T00:00:00Z", attributes={"order_id": "O-1"})
    assert admin.post("/api/v1/signals", json=edge).status_code == 202
    assert evaluate_signals(database=database, now=clock.now()) == 1
    firing = db.scalar(select(RuleFiring))
    assert firing.due_at.year == 2101 and db.scalar(select(SetAside)) is None
    promise = {"kind": "delivery", "due_at": "2100-01-01T00:00:00Z"}
    response = Api(app_client, tenant.tokens["agent"]).post(
        f"/api/v1/cases/{tenant.case.id}/promises", json=promise
    )
    assert response.status_code == 201 and response.json()["grace_until"].startswith("2100-01-01T00:05")


def test_a_number_is_no_time_and_0_or_1_is_no_yes_or_no(api, tenant):
    numbers = api.get("/api/v1/promises", params={"due_before": "0.5"})
    assert numbers.status_code == 422 and numbers.json()["errors"][0]["path"] == ["query", "due_before"]
    made = api.post(
        f"/api/v1/cases/{tenant.case.id}/promises",
        json={"kind": "callback", "due_at": "2026-11-23T10:00:00Z", "tell_customer": 1},
    )
    assert made.status_code == 422 and made.json()["errors"][0]["path"] == ["body", "tell_customer"]
