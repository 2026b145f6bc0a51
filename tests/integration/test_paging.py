"""Every list that pages hands out every row exactly once, in its own order, with N = limit + 1 rows.

A list sorted by something other than its id (promises by due time, gestures by creation time,
notifications unread first) was once cut at `limit` with `next_cursor: null`; each list here is walked
page by page with rows made so that their order differs from the order of their ids.
"""

import uuid
from datetime import timedelta

import pytest

from attent.notifications.service import notify_many
from attent.organisations.models import Organisation
from attent.recovery.gestures import new_gesture
from attent.recovery.models import GestureState
from attent.recovery.policy import catalogue_of
from attent.recovery.suggest import find_item
from tests import factories as make
from tests.conftest import Api

LIMIT = 3


def walk(api: Api, url: str, **params) -> tuple[list[dict], int]:
    """Every item of a list, page after page of LIMIT, and how many pages it took."""
    items, cursor, pages = [], None, 0
    while True:
        response = api.get(url, params={**params, "limit": LIMIT, **({"cursor": cursor} if cursor else {})})
        assert response.status_code == 200, response.text
        body = response.json()
        assert len(body["items"]) <= LIMIT
        items += body["items"]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            return items, pages
        assert pages < 20, "the cursor does not move on"


def ids(items: list[dict]) -> list[str]:
    return [item["id"] for item in items]


def test_promises_due_in_another_order_than_made_are_all_reached(api, tenant, clock):
    case_id = make.case(api, tenant, "Paged")["id"]
    # Made first, due last (and two due at the same minute): their ids and due times sort differently.
    minutes = [90, 60, 60, 30]
    made = []
    for m in minutes:
        body = {"kind": "callback", "due_at": (clock.now() + timedelta(minutes=m)).isoformat()}
        response = api.post(f"/api/v1/cases/{case_id}/promises", json=body)
        assert response.status_code == 201, response.text
        made.append(response.json())
    assert len(made) == LIMIT + 1
    mine, pages = walk(api, "/api/v1/promises")
    assert pages == 2 and sorted(ids(mine)) == sorted(ids(made))
    assert [(p["due_by"], p["id"]) for p in mine] == sorted((p["due_by"], p["id"]) for p in made)
    by_case, _ = walk(api, "/api/v1/promises", case_id=case_id)
    under_case, pages = walk(api, f"/api/v1/cases/{case_id}/promises")
    assert ids(under_case) == ids(by_case) == ids(mine) and pages == 2


def test_a_case_lists_its_own_promises_and_a_case_out_of_sight_is_404(api, app_client, tenant, clock):
    case_id = make.case(api, tenant, "Paged")["id"]
    other = make.case(api, tenant, "Another")["id"]
    due = (clock.now() + timedelta(hours=1)).isoformat()
    [mine] = [
        api.post(f"/api/v1/cases/{c}/promises", json={"kind": "callback", "due_at": due}).json()
        for c in (case_id,)
    ]
    api.post(f"/api/v1/cases/{other}/promises", json={"kind": "callback", "due_at": due})
    listed = api.get(f"/api/v1/cases/{case_id}/promises").json()
    assert ids(listed["items"]) == [mine["id"]] and listed["next_cursor"] is None
    kept = api.post(f"/api/v1/promises/{mine['id']}/keep")
    assert kept.status_code == 200
    assert ids(api.get(f"/api/v1/cases/{case_id}/promises", params={"state": "open"}).json()["items"]) == []
    assert ids(api.get(f"/api/v1/cases/{case_id}/promises", params={"state": "kept"}).json()["items"]) == [
        mine["id"]
    ]
    back_office = Api(app_client, tenant.tokens["outsider"])
    assert back_office.get(f"/api/v1/cases/{case_id}/promises").status_code == 404
    assert api.get(f"/api/v1/cases/{uuid.uuid4()}/promises").status_code == 404


def test_cases_customers_and_signals_walk_newest_first(api, admin_api, tenant):
    for i in range(LIMIT):  # with the tenant's own case: LIMIT + 1
        make.case(api, tenant, f"Case {i}")
    cases, pages = walk(api, "/api/v1/cases")
    assert len(cases) == LIMIT + 1 and pages == 2 and ids(cases) == sorted(ids(cases), reverse=True)
    for i in range(LIMIT):  # with the tenant's own customer: LIMIT + 1
        assert api.post("/api/v1/customers", json={"name": f"Klant {i}"}).status_code == 201
    customers, pages = walk(api, "/api/v1/customers")
    assert len(customers) == LIMIT + 1 and pages == 2
    assert ids(customers) == sorted(ids(customers), reverse=True)
    body = {
        "signals": [
            {
                "type": "delivery.failed",
                "customer_ref": {"system": "shop", "value": "C-1042"},
                "occurred_at": "2026-11-23T08:30:00+01:00",
                "external_id": f"ev-{i}",
            }
            for i in range(LIMIT + 1)
        ]
    }
    assert admin_api.post("/api/v1/signals", json=body).status_code == 202
    signals, pages = walk(admin_api, "/api/v1/signals")
    assert len(signals) == LIMIT + 1 and pages == 2 and ids(signals) == sorted(ids(signals), reverse=True)


def test_the_timeline_pages_oldest_first_and_filters_before_paging(api, tenant, clock):
    case_id = make.case(api, tenant, "Paged")["id"]
    for i in range(LIMIT + 1):
        clock.advance(timedelta(minutes=1))
        assert api.post(f"/api/v1/cases/{case_id}/notes", json={"text": f"Note {i}"}).status_code == 201
    whole = api.get(f"/api/v1/cases/{case_id}/timeline").json()
    assert whole["next_cursor"] is None
    events, pages = walk(api, f"/api/v1/cases/{case_id}/timeline")
    assert events == whole["items"] and len(events) > LIMIT and pages == len(events) // LIMIT + 1
    assert [e["at"] for e in events] == sorted(e["at"] for e in events)
    internal, _ = walk(api, f"/api/v1/cases/{case_id}/timeline", customer_visible="false")
    assert [e["kind"] for e in internal].count("note.added") == LIMIT + 1
    assert all(not e["customer_visible"] for e in internal)
    assert internal == [e for e in whole["items"] if not e["customer_visible"]]


def test_notifications_walk_unread_first_then_read(api, tenant, db, clock):
    rows = [
        {"organisation_id": tenant.organisation_id, "agent_id": tenant.agent.id, "kind": "promise.at_risk",
         "case_id": tenant.case.id, "data": {"n": i}, "created_at": clock.now()}
        for i in range(LIMIT + 1)
    ]  # fmt: skip
    notify_many(db=db, rows=rows)
    db.commit()
    first = api.get("/api/v1/notifications").json()["items"]
    assert api.post(f"/api/v1/notifications/{first[0]['id']}/read").status_code == 200  # the newest, read
    seen, pages = walk(api, "/api/v1/notifications")
    assert len(seen) == LIMIT + 1 and pages == 2 and len(set(ids(seen))) == LIMIT + 1
    assert [n["read_at"] is not None for n in seen] == [False] * LIMIT + [True]
    assert ids(seen)[:LIMIT] == sorted(ids(seen)[:LIMIT], reverse=True) and ids(seen)[-1] == first[0]["id"]


def test_gestures_and_check_ins_walk_in_their_own_order(api, tenant, db, clock):
    org = db.get(Organisation, tenant.organisation_id)
    item = find_item(catalogue_of(org), "small_attention")
    assert item is not None
    start = clock.now()
    for hours in [0, -3, -1, -2]:  # made in this order, created (and so listed) in another
        new_gesture(
            db, organisation_id=tenant.organisation_id, customer_id=tenant.customer.id,
            case_id=tenant.case.id, item=item, reason="paging", occasion=None, source="agent",
            state=GestureState.GRANTED, at=start + timedelta(hours=hours), actor=tenant.agent,
        )  # fmt: skip
    db.commit()
    gestures, pages = walk(api, "/api/v1/recovery/gestures")
    assert len(gestures) == LIMIT + 1 and pages == 2
    assert [g["created_at"] for g in gestures] == sorted((g["created_at"] for g in gestures), reverse=True)
    for days in [4, 1, 3, 2]:
        body = {"customer_id": str(tenant.customer.id), "due_at": (start + timedelta(days=days)).isoformat(),
                "mode": "task", "note": f"In {days} days"}  # fmt: skip
        assert api.post("/api/v1/recovery/check-ins", json=body).status_code == 201
    check_ins, pages = walk(api, "/api/v1/recovery/check-ins", customer_id=str(tenant.customer.id))
    assert [c["note"] for c in check_ins] == ["In 1 days", "In 2 days", "In 3 days", "In 4 days"]
    assert pages == 2


@pytest.mark.parametrize("cursor", ["!!", "AAAA", "W10", "WyJ4Il0"])  # not base64, not JSON, [], ["x"]
def test_a_cursor_the_list_did_not_hand_out_is_a_422(api, cursor):
    for url in ("/api/v1/promises", "/api/v1/cases", "/api/v1/notifications"):
        response = api.get(url, params={"cursor": cursor})
        assert response.status_code == 422, (url, cursor, response.text)
        assert response.json()["code"] == "invalid_cursor"


def test_a_cursor_of_one_list_is_refused_by_a_list_with_another_order(api, tenant, clock):
    case_id = make.case(api, tenant, "Paged")["id"]
    due = (clock.now() + timedelta(hours=1)).isoformat()
    for _ in range(2):
        api.post(f"/api/v1/cases/{case_id}/promises", json={"kind": "callback", "due_at": due})
    cursor = api.get("/api/v1/promises", params={"limit": 1}).json()["next_cursor"]
    assert cursor is not None
    refused = api.get("/api/v1/cases", params={"cursor": cursor})
    assert refused.status_code == 422 and refused.json()["code"] == "invalid_cursor"
