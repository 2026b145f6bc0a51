"""Signals in: one or a batch, idempotent by external id, checked whole, kept until their customer appears."""

from datetime import timedelta

from sqlalchemy import func, select

from attent.signals.jobs import evaluate_signals
from attent.signals.models import Signal
from tests.conftest import Api


def _signal(i: int = 1, **overrides):
    body = {
        "type": "delivery.failed",
        "customer_ref": {"system": "shop", "value": "C-1042"},
        "occurred_at": "2026-11-23T08:30:00+01:00",
        "attributes": {"order_id": f"O-{i}", "attempt": 1},
        "external_id": f"ev-{i}",
    }
    return {**body, **overrides}


def _count(db):
    return db.scalar(select(func.count()).select_from(Signal))


def test_a_signal_for_a_known_reference_is_matched_and_waits_for_the_worker(admin_api, tenant):
    response = admin_api.post("/api/v1/signals", json=_signal())
    assert response.status_code == 202, response.text
    body = response.json()
    assert body["accepted"] == 1 and body["duplicates"] == 0
    [item] = body["items"]
    assert item["customer_id"] == str(tenant.customer.id) and item["state"] == "pending"
    read = admin_api.get(f"/api/v1/signals/{item['id']}").json()
    assert read["type"] == "delivery.failed" and read["attributes"]["order_id"] == "O-1"
    assert read["occurred_at"].startswith("2026-11-23T07:30:00")  # stored in UTC


def test_redelivery_by_external_id_stores_nothing_twice(admin_api, db):
    first = admin_api.post("/api/v1/signals", json={"signals": [_signal(1), _signal(2), _signal(1)]}).json()
    assert first["accepted"] == 2 and first["duplicates"] == 1
    assert first["items"][2]["id"] == first["items"][0]["id"] and first["items"][2]["duplicate"]
    again = admin_api.post("/api/v1/signals", json=_signal(2)).json()
    assert again["duplicates"] == 1 and again["items"][0]["id"] == first["items"][1]["id"]
    assert _count(db) == 2


def test_by_attent_id_and_unknown_ids_are_named(admin_api, tenant, db):
    ok = admin_api.post(
        "/api/v1/signals",
        json=_signal(customer_ref=None, customer_id=str(tenant.customer.id)),
    )
    assert ok.status_code == 202 and ok.json()["items"][0]["customer_id"] == str(tenant.customer.id)
    bad = admin_api.post(
        "/api/v1/signals",
        json={"signals": [_signal(2), _signal(3, customer_ref=None, customer_id=str(tenant.agent.id))]},
    )
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["path"] == ["signals", 1, "customer_id"]
    assert _count(db) == 1  # the batch was refused whole


def test_unknown_types_and_bad_attributes_point_at_the_field(admin_api, db):
    response = admin_api.post(
        "/api/v1/signals",
        json={
            "signals": [
                _signal(1),
                _signal(2, type="delivery.exploded"),
                _signal(3, attributes={"attempt": "twice"}),
            ]
        },
    )
    assert response.status_code == 422
    errors = {tuple(e["path"]): e["message"] for e in response.json()["errors"]}
    assert "Onbekend signaaltype “delivery.exploded”" in errors[("signals", 1, "type")]
    assert errors[("signals", 2, "attributes", "attempt")] == "Verwacht: een geheel getal."
    assert response.json()["errors"][0]["pointer"] == "/signals/1/type"
    assert _count(db) == 0


def test_malformed_signals_are_refused_with_their_path(admin_api):
    cases = [
        (_signal(extra=1), ["body", "extra"]),
        (_signal(occurred_at="2026-11-23T08:30:00"), ["body", "occurred_at"]),
        (_signal(customer_id="00000000-0000-7000-8000-000000000000"), ["body"]),
        (_signal(customer_ref=None), ["body"]),
        (_signal(customer_ref={"system": "Shop!", "value": "x"}), ["body", "customer_ref", "system"]),
    ]
    for body, path in cases:
        response = admin_api.post("/api/v1/signals", json=body)
        assert response.status_code == 422, body
        assert response.json()["errors"][0]["path"] == path, response.json()
    too_many = admin_api.post(
        "/api/v1/signals", json={"signals": [{}] * 1001}
    )  # small: the test app caps bodies
    assert too_many.status_code == 422
    assert ["body", "signals"] in [e["path"] for e in too_many.json()["errors"]]
    assert (
        admin_api.post("/api/v1/signals", content=b"{", headers={"content-type": "application/json"}).json()[
            "code"
        ]
        == "invalid_json"
    )


def test_only_admins_post_signals(api):
    response = api.post("/api/v1/signals", json=_signal())
    assert response.status_code == 403 and response.json()["code"] == "role_required"


def test_a_signal_for_an_unknown_customer_waits_until_the_customer_appears(admin_api, database, clock, db):
    waiting = admin_api.post(
        "/api/v1/signals", json=_signal(customer_ref={"system": "booking", "value": "B-77"})
    ).json()["items"][0]
    assert waiting["state"] == "unmatched" and waiting["customer_id"] is None
    assert evaluate_signals(database=database, now=clock.now()) == 0  # nothing to evaluate yet
    clock.advance(timedelta(hours=1))
    customer = admin_api.post(
        "/api/v1/customers", json={"name": "Jan de Vries", "external_refs": {"booking": "B-77"}}
    ).json()
    read = admin_api.get(f"/api/v1/signals/{waiting['id']}").json()
    assert read["customer_id"] == customer["id"] and read["state"] == "pending"
    assert evaluate_signals(database=database, now=clock.now()) == 1
    assert admin_api.get(f"/api/v1/signals/{waiting['id']}").json()["state"] == "evaluated"


def test_a_reference_added_later_matches_waiting_signals(admin_api, tenant):
    waiting = admin_api.post(
        "/api/v1/signals", json=_signal(customer_ref={"system": "booking", "value": "B-9"})
    ).json()["items"][0]
    admin_api.patch(f"/api/v1/customers/{tenant.customer.id}", json={"external_refs": {"booking": "B-9"}})
    assert admin_api.get(f"/api/v1/signals/{waiting['id']}").json()["customer_id"] == str(tenant.customer.id)


def test_signals_list_filters_by_customer_and_type(admin_api, tenant, other_tenant, app_client):
    admin_api.post(
        "/api/v1/signals", json={"signals": [_signal(1), _signal(2, type="order.shipped", attributes={})]}
    )
    items = admin_api.get("/api/v1/signals", params={"type": "order.shipped"}).json()["items"]
    assert [i["type"] for i in items] == ["order.shipped"]
    mine = admin_api.get("/api/v1/signals", params={"customer_id": str(tenant.customer.id)}).json()["items"]
    assert len(mine) == 2
    assert Api(app_client, other_tenant.tokens["admin"]).get("/api/v1/signals").json()["items"] == []
