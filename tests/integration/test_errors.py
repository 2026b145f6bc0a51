"""Bad input gets a clear problem+json naming what is wrong; nothing is half-written."""

import uuid

from tests.conftest import Api

PROBLEM = "application/problem+json"


def _problem(response, status, code):
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    body = response.json()
    assert body["code"] == code and body["status"] == status and body["detail"]
    return body


def test_unknown_field_is_rejected_with_its_path(api, tenant):
    body = _problem(
        api.post("/api/v1/customers", json={"name": "Jan", "shoe_size": 44}), 422, "validation_failed"
    )
    assert body["errors"] == [
        {
            "path": ["body", "shoe_size"],
            "pointer": "/shoe_size",
            "message": "Onbekend veld; het hoort niet bij dit verzoek.",  # the agent reads Dutch
        }
    ]


def test_wrong_type_names_the_nested_field(api, tenant):
    body = _problem(
        api.post(
            f"/api/v1/cases/{tenant.case.id}/contacts",
            json={"channel": "phone", "messages": [{"speaker": "agent", "text": 5}]},
        ),
        422,
        "validation_failed",
    )
    assert [e["path"] for e in body["errors"]] == [["body", "messages", 0, "text"]]


def test_bad_json_is_400(api):
    response = api.post(
        "/api/v1/customers", content=b'{"name": "Jan",', headers={"content-type": "application/json"}
    )
    _problem(response, 400, "invalid_json")


def test_oversized_body_is_413_and_writes_nothing(api, tenant, settings):
    huge = "x" * (settings.max_body_bytes + 1)
    _problem(api.post(f"/api/v1/cases/{tenant.case.id}/notes", json={"text": huge}), 413, "body_too_large")
    assert [
        e
        for e in api.get(f"/api/v1/cases/{tenant.case.id}/timeline").json()["items"]
        if e["kind"] == "note.added"
    ] == []


def test_an_oversized_page_form_gets_the_error_page_in_dutch(app_client, tenant, settings):
    huge = "x" * (settings.max_body_bytes + 1)
    response = app_client.post(
        f"/cases/{tenant.case.id}/call",
        data={"text": huge},
        headers={"accept": "text/html"},  # not an upload form
    )
    assert response.status_code == 413 and response.headers["content-type"].startswith("text/html")
    assert "groter dan de grens" in response.text


def test_unknown_and_malformed_ids(api):
    _problem(api.get(f"/api/v1/cases/{uuid.uuid4()}"), 404, "case_not_found")
    body = _problem(api.get("/api/v1/cases/not-a-uuid"), 422, "validation_failed")
    assert body["errors"][0]["path"] == ["path", "case_id"]
    _problem(api.get("/api/v1/nothing-here"), 404, "not_found")
    _problem(api.delete("/api/v1/cases"), 405, "method_not_allowed")


def test_missing_and_revoked_credentials_are_401(app_client, tenant):
    _problem(app_client.get("/api/v1/cases"), 401, "not_authenticated")
    _problem(Api(app_client, "att_guessed").get("/api/v1/cases"), 401, "invalid_token")
    _problem(
        app_client.get("/api/v1/cases", headers={"Authorization": "Basic abc"}), 401, "invalid_authorization"
    )
    admin = Api(app_client, tenant.tokens["admin"])
    created = admin.post("/api/v1/tokens", json={"name": "laptop"}).json()
    assert Api(app_client, created["token"]).get("/api/v1/agents/me").status_code == 200
    assert admin.delete(f"/api/v1/tokens/{created['id']}").json()["revoked_at"] is not None
    _problem(Api(app_client, created["token"]).get("/api/v1/agents/me"), 401, "token_revoked")


def test_a_failing_batch_writes_nothing(api, tenant):
    contact = api.post(f"/api/v1/cases/{tenant.case.id}/contacts", json={"channel": "chat"}).json()
    good = {"speaker": "customer", "text": "Waar is mijn pakket?"}
    bad = {"speaker": "robot", "text": "beep"}
    body = _problem(
        api.post(f"/api/v1/contacts/{contact['id']}/messages", json={"messages": [good, bad]}),
        422,
        "validation_failed",
    )
    assert body["errors"][0]["path"] == ["body", "messages", 1, "speaker"]
    [listed] = api.get(f"/api/v1/cases/{tenant.case.id}/contacts").json()["items"]
    assert listed["messages"] == []


def test_a_rule_broken_mid_request_rolls_everything_back(api, tenant):
    stranger = str(uuid.uuid4())
    response = api.post(
        f"/api/v1/cases/{tenant.case.id}/contacts",
        json={
            "channel": "phone",
            "agent_id": stranger,
            "messages": [{"speaker": "customer", "text": "Hallo?"}],
        },
    )
    body = _problem(response, 422, "unknown_agent")
    assert body["errors"][0]["path"] == ["agent_id"]
    assert api.get(f"/api/v1/cases/{tenant.case.id}/contacts").json()["items"] == []
    kinds = [e["kind"] for e in api.get(f"/api/v1/cases/{tenant.case.id}/timeline").json()["items"]]
    assert kinds == ["case.created"]


def test_html_is_stored_and_returned_as_text_never_interpreted(api, tenant):
    script = "<script>alert(1)</script>"
    created = api.post("/api/v1/customers", json={"name": script}).json()
    assert api.get(f"/api/v1/customers/{created['id']}").json()["name"] == script
