"""Tags: a managed list per organisation, on cases, filterable; one organisation never sees another's."""

import pytest

from tests.conftest import Api


def _case(api, tenant, **extra):
    body = {
        "customer_id": str(tenant.customer.id),
        "subject": "Retour",
        "team_id": str(tenant.team_id),
        **extra,
    }
    response = api.post("/api/v1/cases", json=body)
    assert response.status_code == 201, response.text
    return response.json()["id"]


def test_an_agent_tags_a_case_and_the_name_joins_the_list_once(api, tenant):
    tagged = api.post(f"/api/v1/cases/{tenant.case.id}/tags", json={"name": "  Retour   Zending "})
    assert tagged.status_code == 201 and tagged.json()["name"] == "retour zending"
    again = api.post(f"/api/v1/cases/{tenant.case.id}/tags", json={"name": "RETOUR ZENDING"})
    assert again.status_code == 201 and again.json()["id"] == tagged.json()["id"]
    assert [t["name"] for t in api.get(f"/api/v1/cases/{tenant.case.id}/tags").json()] == ["retour zending"]
    assert api.get("/api/v1/tags").json() == [
        {"id": tagged.json()["id"], "name": "retour zending", "cases": 1}
    ]
    kinds = [e["kind"] for e in api.get(f"/api/v1/cases/{tenant.case.id}/timeline").json()["items"]]
    assert kinds.count("case.tagged") == 1  # tagging twice is one event


def test_untagging_writes_the_timeline_and_a_missing_tag_is_a_404(api, tenant):
    tag = api.post(f"/api/v1/cases/{tenant.case.id}/tags", json={"name": "vip"}).json()
    assert api.delete(f"/api/v1/cases/{tenant.case.id}/tags/{tag['id']}").status_code == 204
    assert api.get(f"/api/v1/cases/{tenant.case.id}/tags").json() == []
    assert api.delete(f"/api/v1/cases/{tenant.case.id}/tags/{tag['id']}").status_code == 404
    events = api.get(f"/api/v1/cases/{tenant.case.id}/timeline").json()["items"]
    assert [e["data"] for e in events if e["kind"] == "case.untagged"] == [{"tag": "vip"}]


@pytest.mark.parametrize("name", ["", "   ", "x" * 41])
def test_a_tag_without_a_name_or_too_long_is_a_422_naming_the_field(api, tenant, name):
    response = api.post(f"/api/v1/cases/{tenant.case.id}/tags", json={"name": name})
    assert response.status_code == 422
    assert response.json()["errors"][0]["path"][-1] == "name"


def test_leads_manage_the_list_and_agents_may_not(app_client, api, tenant):
    lead = Api(app_client, tenant.tokens["lead"])
    assert api.post("/api/v1/tags", json={"name": "klacht"}).status_code == 403
    made = lead.post("/api/v1/tags", json={"name": "Klacht"})
    assert made.status_code == 201 and made.json()["name"] == "klacht"
    assert lead.post("/api/v1/tags", json={"name": "klacht"}).status_code == 409
    api.post(f"/api/v1/cases/{tenant.case.id}/tags", json={"name": "klacht"})
    renamed = lead.patch(f"/api/v1/tags/{made.json()['id']}", json={"name": "Klacht (formeel)"})
    assert renamed.status_code == 200
    assert [t["name"] for t in api.get(f"/api/v1/cases/{tenant.case.id}/tags").json()] == ["klacht (formeel)"]
    assert api.delete(f"/api/v1/tags/{made.json()['id']}").status_code == 403
    assert lead.delete(f"/api/v1/tags/{made.json()['id']}").status_code == 204
    assert api.get(f"/api/v1/cases/{tenant.case.id}/tags").json() == []
    assert api.get("/api/v1/tags").json() == []


def test_cases_filter_by_tag(api, tenant):
    other = _case(api, tenant)
    api.post(f"/api/v1/cases/{other}/tags", json={"name": "vip"})
    api.post(f"/api/v1/cases/{tenant.case.id}/tags", json={"name": "retour"})
    assert [c["id"] for c in api.get("/api/v1/cases", params={"tag": "VIP"}).json()["items"]] == [other]
    both = api.get("/api/v1/cases", params={"tag": ["vip", "retour"]}).json()["items"]
    assert {c["id"] for c in both} == {other, str(tenant.case.id)}
    assert api.get("/api/v1/cases", params={"tag": "nergens"}).json()["items"] == []


def test_another_organisations_tags_and_cases_stay_out_of_reach(app_client, api, tenant, other_tenant):
    theirs = Api(app_client, other_tenant.tokens["admin"])
    tag = theirs.post("/api/v1/tags", json={"name": "geheim"}).json()
    assert api.get("/api/v1/tags").json() == []
    assert api.delete(f"/api/v1/cases/{tenant.case.id}/tags/{tag['id']}").status_code == 404
    assert api.post(f"/api/v1/cases/{other_tenant.case.id}/tags", json={"name": "x"}).status_code == 404
    assert theirs.patch(f"/api/v1/tags/{tag['id']}", json={"name": "y"}).status_code == 200
    assert (
        Api(app_client, tenant.tokens["admin"])
        .patch(f"/api/v1/tags/{tag['id']}", json={"name": "z"})
        .status_code
        == 404
    )
