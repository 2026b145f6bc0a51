"""Cases: open, list with filters and cursors, change with validated transitions, see only your teams'."""

from datetime import timedelta

import pytest

from tests.conftest import Api


def _new_case(api, tenant, **extra):
    body = {"customer_id": str(tenant.customer.id), "subject": "Capsules lekken", **extra}
    response = api.post("/api/v1/cases", json=body)
    assert response.status_code == 201, response.text
    return response.json()


def test_open_a_case_and_read_it_back(api, tenant, clock):
    case = _new_case(
        api,
        tenant,
        type="damaged",
        priority="high",
        team_id=str(tenant.team_id),
        description="Alle cups zijn nat.",
    )
    assert case["status"] == "new" and case["priority"] == "high" and case["type"] == "damaged"
    assert case["created_at"] == clock.now().isoformat().replace("+00:00", "Z")
    assert api.get(f"/api/v1/cases/{case['id']}").json() == case


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        (["open", "waiting_on_customer", "open", "resolved", "closed"], "closed"),
        (["resolved", "open", "resolved"], "resolved"),
        (["waiting_on_third_party", "waiting_on_customer", "resolved"], "resolved"),
    ],
)
def test_legal_status_paths(api, tenant, path, expected):
    case = _new_case(api, tenant)
    for status in path:
        response = api.patch(f"/api/v1/cases/{case['id']}", json={"status": status})
        assert response.status_code == 200, response.text
    assert api.get(f"/api/v1/cases/{case['id']}").json()["status"] == expected


def test_illegal_transition_is_409_naming_the_legal_moves(api, tenant):
    case = _new_case(api, tenant)
    api.patch(f"/api/v1/cases/{case['id']}", json={"status": "resolved"})
    api.patch(f"/api/v1/cases/{case['id']}", json={"status": "closed"})
    response = api.patch(f"/api/v1/cases/{case['id']}", json={"status": "open"})
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "illegal_status_transition"
    assert body["detail"] == "Een gesloten zaak blijft gesloten; open een nieuwe zaak voor de klant."
    assert api.patch(f"/api/v1/cases/{case['id']}", json={"subject": "x"}).json()["code"] == "case_closed"
    new = _new_case(api, tenant)
    response = api.patch(f"/api/v1/cases/{new['id']}", json={"status": "closed"})
    assert response.status_code == 409 and "ze kan worden: open, opgelost" in response.json()["detail"]


def test_resolving_stamps_resolved_at_and_reopening_clears_it(api, tenant, clock):
    case = _new_case(api, tenant)
    clock.advance(timedelta(minutes=5))
    resolved = api.patch(f"/api/v1/cases/{case['id']}", json={"status": "resolved"}).json()
    assert resolved["resolved_at"] == clock.now().isoformat().replace("+00:00", "Z")
    assert api.patch(f"/api/v1/cases/{case['id']}", json={"status": "open"}).json()["resolved_at"] is None


def test_filters(admin_api, tenant):
    a = _new_case(
        admin_api, tenant, type="damaged", team_id=str(tenant.team_id), owner_id=str(tenant.agent.id)
    )
    b = _new_case(admin_api, tenant, type="wrong_item", team_id=str(tenant.other_team_id))
    admin_api.patch(f"/api/v1/cases/{b['id']}", json={"status": "open"})

    def ids(**params):
        return [c["id"] for c in admin_api.get("/api/v1/cases", params=params).json()["items"]]

    assert ids(type="damaged") == [a["id"]]
    assert ids(owner_id=str(tenant.agent.id)) == [a["id"]]
    assert ids(team_id=str(tenant.other_team_id)) == [b["id"]]
    assert ids(status="open") == [b["id"]]
    assert set(ids(status=["open", "new"])) >= {a["id"], b["id"], str(tenant.case.id)}
    assert ids(customer_id=str(tenant.customer.id))[:2] == [b["id"], a["id"]]
    assert admin_api.get("/api/v1/cases", params={"status": "sleeping"}).status_code == 422


def test_cursor_pagination_visits_every_case_once(api, tenant):
    made = {_new_case(api, tenant, subject=f"Case {i}")["id"] for i in range(7)}
    seen, cursor, pages = [], None, 0
    while True:
        params = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        page = api.get("/api/v1/cases", params=params).json()
        seen += [c["id"] for c in page["items"]]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == 8 and made <= set(seen)
    assert pages == 3
    assert seen == sorted(seen, reverse=True)  # newest first
    bad = api.get("/api/v1/cases", params={"cursor": "!!"})
    assert bad.status_code == 422 and bad.json()["code"] == "invalid_cursor"


def test_agents_work_cases_of_their_teams_only(app_client, tenant):
    admin = Api(app_client, tenant.tokens["admin"])
    back_office = _new_case(admin, tenant, team_id=str(tenant.other_team_id))
    unassigned = _new_case(admin, tenant)
    agent = Api(app_client, tenant.tokens["agent"])
    assert agent.get(f"/api/v1/cases/{back_office['id']}").status_code == 404
    assert agent.get(f"/api/v1/cases/{unassigned['id']}").status_code == 200
    visible = {c["id"] for c in agent.get("/api/v1/cases").json()["items"]}
    assert back_office["id"] not in visible and str(tenant.case.id) in visible
    outsider = Api(app_client, tenant.tokens["outsider"])
    assert outsider.get(f"/api/v1/cases/{back_office['id']}").status_code == 200
    assert outsider.get(f"/api/v1/cases/{tenant.case.id}").status_code == 404
    # handing a case to an agent of another team keeps it visible to that owner
    admin.patch(f"/api/v1/cases/{back_office['id']}", json={"owner_id": str(tenant.agent.id)})
    assert agent.get(f"/api/v1/cases/{back_office['id']}").status_code == 200


def test_every_change_is_a_timeline_event(api, tenant, clock):
    case_id = tenant.case.id
    clock.advance(timedelta(minutes=1))
    api.patch(
        f"/api/v1/cases/{case_id}",
        json={
            "status": "open",
            "priority": "urgent",
            "owner_id": str(tenant.agent.id),
            "next_step": "Bel de klant",
        },
    )
    api.post(f"/api/v1/cases/{case_id}/notes", json={"text": "Vervoerder gebeld"})
    events = api.get(f"/api/v1/cases/{case_id}/timeline").json()["items"]
    assert [e["kind"] for e in events] == [
        "case.created",
        "case.status_changed",
        "case.priority_changed",
        "case.assigned",
        "case.next_step_set",
        "note.added",
    ]
    assert all(e["actor_id"] == str(tenant.agent.id) and e["actor_kind"] == "agent" for e in events)
    status = events[1]
    assert (
        status["data"] == {"from": "new", "to": "open", "reason": None} and status["customer_visible"] is True
    )
    note = events[-1]
    assert note["customer_visible"] is False and note["data"]["text"] == "Vervoerder gebeld"
    internal = api.get(f"/api/v1/cases/{case_id}/timeline", params={"customer_visible": "false"}).json()[
        "items"
    ]
    assert "note.added" in [e["kind"] for e in internal] and "case.status_changed" not in [
        e["kind"] for e in internal
    ]


def test_unchanged_fields_make_no_events(api, tenant):
    api.patch(
        f"/api/v1/cases/{tenant.case.id}", json={"subject": "Zending nooit aangekomen", "status": "new"}
    )
    events = api.get(f"/api/v1/cases/{tenant.case.id}/timeline").json()["items"]
    assert [e["kind"] for e in events] == ["case.created"]
