"""The OpenAPI document tells what the API answers: problem+json errors on every operation, bearer
tokens, and a request body with content wherever there is one (issue 13, 13)."""

import pytest

PROBLEM = "application/problem+json"
METHODS = {"get", "post", "put", "patch", "delete"}


@pytest.fixture
def document(app_client):
    return app_client.get("/api/v1/openapi.json").json()


def _operations(document):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield path, method, operation


def test_every_operation_documents_its_problems_as_problem_json(document):
    operations = list(_operations(document))
    assert len(operations) > 50
    for path, method, operation in operations:
        responses = operation["responses"]
        expected = {"401", "422"} | ({"403"} if path.startswith("/api/") else set())
        if method in ("post", "put", "patch"):
            expected |= {"400", "404", "409", "413"}
        assert expected <= set(responses), (method, path, sorted(responses))
        for status, response in responses.items():
            if status.startswith(("4", "5")):
                assert set(response["content"]) == {PROBLEM}, (method, path, status)
                assert response["content"][PROBLEM]["schema"] == {"$ref": "#/components/schemas/Problem"}
    schemas = document["components"]["schemas"]
    assert {"type", "title", "status", "detail", "code"} <= set(schemas["Problem"]["required"])
    assert "HTTPValidationError" not in schemas  # FastAPI's own 422 shape is not what we answer


def test_the_api_says_it_takes_bearer_tokens(document):
    assert document["components"]["securitySchemes"]["bearer"] == {"type": "http", "scheme": "bearer"}
    for path, _method, operation in _operations(document):
        if path.startswith("/api/"):
            assert operation["security"] == [{"bearer": []}]
        else:
            assert "security" not in operation  # webhooks are signed, not an agent's


def test_every_request_body_has_content_and_the_coach_takes_json_or_text(document):
    for path, method, operation in _operations(document):
        if "requestBody" in operation:
            assert operation["requestBody"]["content"], (method, path)
    score = document["paths"]["/api/v1/coach/score"]["post"]["requestBody"]
    assert score["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/ScoreRequest"}
    assert score["content"]["text/plain"]["schema"]["type"] == "string"
    assert "ScoreMessage" in document["components"]["schemas"]  # what ScoreRequest refers to


def test_documented_statuses_are_what_the_api_answers(api, app_client, tenant):
    """A sample of the documented answers, for real: 401 without a token, 422 for a NUL, 404, 409."""
    assert app_client.get("/api/v1/cases").status_code == 401
    assert api.get("/api/v1/agents/me?x=%00").status_code == 422  # no parameters, still 422
    assert api.get(f"/api/v1/cases/{tenant.agent.id}").status_code == 404
    closed = api.patch(f"/api/v1/cases/{tenant.case.id}", json={"status": "closed"})
    assert closed.status_code == 409 and closed.headers["content-type"] == PROBLEM


def test_a_call_without_credentials_hears_401_before_anything_about_its_input(app_client, tenant):
    for response in (
        app_client.put(
            f"/api/v1/agents/{tenant.agent.id}/presence", json={"presence": "offline", "until": 5}
        ),
        app_client.post("/api/v1/customers", json={"name": "Jan\x00"}),  # refused at the edge otherwise
        app_client.get("/api/v1/cases/not-a-uuid"),
    ):
        assert response.status_code == 401 and response.json()["code"] == "not_authenticated", response.text


def test_a_literal_segment_is_not_taken_for_an_id(api, document):
    response = api.patch("/api/v1/agents/me", json={"name": "X"})  # /agents/me answers GET only
    assert response.status_code == 405 and response.headers["allow"] == "GET"
    verify = document["paths"]["/api/v1/cases/{case_id}/verifications"]["post"]["responses"]
    assert "429" in verify  # locked after too many wrong answers
