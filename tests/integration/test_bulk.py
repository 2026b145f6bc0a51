"""Bulk actions: one transaction, a timeline event per case, and a refused case refuses the whole batch."""

import uuid
from datetime import timedelta

import pytest

from tests.conftest import Api


def _cases(api, tenant, n):
    ids = []
    for i in range(n):
        body = {
            "customer_id": str(tenant.customer.id),
            "subject": f"Zaak {i}",
            "team_id": str(tenant.team_id),
        }
        ids.append(api.post("/api/v1/cases", json=body).json()["id"])
    return ids


def _kinds(api, case_id):
    return [e["kind"] for e in api.get(f"/api/v1/cases/{case_id}/timeline").json()["items"]]


def test_assign_three_cases_each_with_its_event(api, tenant):
    ids = _cases(api, tenant, 3)
    done = api.post(
        "/api/v1/cases/bulk", json={"case_ids": ids, "action": "assign", "owner_id": str(tenant.lead.id)}
    )
    assert done.status_code == 200, done.text
    assert done.json()["changed"] == 3
    for case_id in ids:
        assert api.get(f"/api/v1/cases/{case_id}").json()["owner_id"] == str(tenant.lead.id)
        assert _kinds(api, case_id).count("case.assigned") == 1
    nobody = api.post("/api/v1/cases/bulk", json={"case_ids": ids, "action": "assign"})
    assert nobody.status_code == 200 and api.get(f"/api/v1/cases/{ids[0]}").json()["owner_id"] is None


def test_move_team_and_tags(admin_api, tenant):
    ids = _cases(admin_api, tenant, 2)
    moved = admin_api.post(
        "/api/v1/cases/bulk",
        json={"case_ids": ids, "action": "move_team", "team_id": str(tenant.other_team_id)},
    )
    assert moved.status_code == 200
    assert {admin_api.get(f"/api/v1/cases/{i}").json()["team_id"] for i in ids} == {str(tenant.other_team_id)}
    tagged = admin_api.post(
        "/api/v1/cases/bulk", json={"case_ids": ids, "action": "add_tag", "tag": "Storing"}
    )
    assert tagged.status_code == 200
    assert [
        c["id"] for c in admin_api.get("/api/v1/cases", params={"tag": "storing"}).json()["items"]
    ] == ids[::-1]
    untagged = admin_api.post(
        "/api/v1/cases/bulk", json={"case_ids": ids[:1], "action": "remove_tag", "tag": "storing"}
    )
    assert untagged.status_code == 200
    assert [
        c["id"] for c in admin_api.get("/api/v1/cases", params={"tag": "storing"}).json()["items"]
    ] == ids[1:]
    assert "case.untagged" in _kinds(admin_api, ids[0])


def test_a_refused_case_refuses_the_batch_and_lists_why(api, tenant, clock):
    ids = _cases(api, tenant, 3)
    due = (clock.now() + timedelta(hours=2)).isoformat()
    api.post(f"/api/v1/cases/{ids[1]}/promises", json={"kind": "callback", "due_at": due})
    api.patch(f"/api/v1/cases/{ids[2]}", json={"status": "resolved"})
    api.patch(f"/api/v1/cases/{ids[2]}", json={"status": "closed"})
    refused = api.post("/api/v1/cases/bulk", json={"case_ids": ids, "action": "status", "status": "resolved"})
    assert refused.status_code == 409, refused.text
    body = refused.json()
    assert body["code"] == "batch_refused"
    assert {r["case_id"]: r["code"] for r in body["refused"]} == {
        ids[1]: "open_promises",
        ids[2]: "illegal_status_transition",
    }
    assert all(r["detail"] for r in body["refused"])
    assert api.get(f"/api/v1/cases/{ids[0]}").json()["status"] == "new"  # nothing half-done
    assert "case.status_changed" not in _kinds(api, ids[0])


def test_the_refusal_is_said_in_the_readers_language(api, tenant):
    [case_id] = _cases(api, tenant, 1)
    api.patch(f"/api/v1/cases/{case_id}", json={"status": "resolved"})
    api.patch(f"/api/v1/cases/{case_id}", json={"status": "closed"})
    refused = api.post(
        "/api/v1/cases/bulk",
        json={"case_ids": [case_id], "action": "assign", "owner_id": str(tenant.agent.id)},
        headers={"Accept-Language": "nl"},
    )
    assert refused.status_code == 409
    assert refused.json()["refused"][0]["code"] == "case_closed"


def test_another_organisations_ids_are_a_422_and_nothing_changes(api, tenant, other_tenant):
    ids = _cases(api, tenant, 2)
    response = api.post(
        "/api/v1/cases/bulk",
        json={
            "case_ids": [*ids, str(other_tenant.case.id)],
            "action": "assign",
            "owner_id": str(tenant.agent.id),
        },
    )
    assert response.status_code == 422 and response.json()["code"] == "unknown_cases"
    assert response.json()["errors"][0]["path"] == ["case_ids", 2]
    assert api.get(f"/api/v1/cases/{ids[0]}").json()["owner_id"] is None


@pytest.mark.parametrize("n", [0, 1001, 10_000])
def test_an_empty_or_huge_batch_is_a_clear_4xx(app_client, tenant, settings, n):
    api = Api(app_client, tenant.tokens["agent"])
    ids = [str(uuid.uuid4()) for _ in range(n)]
    response = api.post("/api/v1/cases/bulk", json={"case_ids": ids, "action": "assign"})
    assert response.status_code in (413, 422), response.text
    assert response.headers["content-type"].startswith("application/problem+json")


def test_a_missing_value_for_the_action_is_a_422_naming_it(api, tenant):
    response = api.post("/api/v1/cases/bulk", json={"case_ids": [str(tenant.case.id)], "action": "status"})
    assert response.status_code == 422 and response.json()["errors"][0]["path"][-1] == "status"
