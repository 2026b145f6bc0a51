"""An error reads in its reader's language: the agent's on the API too; Accept-Language before sign-in.
The code stays the same in every language, so programs keep working."""

import uuid

from tests.conftest import Api


def test_the_api_answers_an_agent_in_their_language_with_the_same_code(app_client, tenant, api: Api):
    missing = api.get(f"/api/v1/cases/{uuid.uuid4()}")
    body = missing.json()
    assert missing.headers["content-language"] == "nl"
    assert body["code"] == "case_not_found" and body["title"] == "Niet gevonden"
    assert body["detail"].startswith("Er bestaat geen zaak met id ")
    assert api.patch(f"/api/v1/agents/{tenant.agent.id}", json={"language": "en"}).status_code == 200
    english = api.get(f"/api/v1/cases/{uuid.uuid4()}", headers={"Accept-Language": "nl"})
    assert english.headers["content-language"] == "en"  # the agent's own language wins
    assert english.json()["code"] == "case_not_found" and english.json()["detail"].startswith(
        "No case with id "
    )


def test_before_an_agent_is_known_accept_language_chooses(app_client):
    for header, language, detail in [
        ("en-GB,en;q=0.9", "en", "Sign in, or send 'Authorization: Bearer <token>'."),
        ("de-DE,nl;q=0.5,en;q=0.4", "nl", "Log in, of stuur 'Authorization: Bearer <token>'."),
        (None, "nl", "Log in, of stuur 'Authorization: Bearer <token>'."),
    ]:
        headers = {"Accept-Language": header} if header else {}
        response = app_client.get("/api/v1/cases", headers=headers)
        assert response.status_code == 401 and response.json()["code"] == "not_authenticated"
        assert response.headers["content-language"] == language and response.json()["detail"] == detail


def test_validation_says_how_many_fields_in_words_and_names_each_field(api: Api):
    one = api.post("/api/v1/customers", json={"name": ""})
    assert one.json()["detail"] == "1 veld klopt niet; zie de fouten."
    assert one.json()["errors"][0]["message"] == "Vul dit in."
    two = api.post("/api/v1/customers", json={"name": "", "shoe_size": 44}, headers={"Accept-Language": "en"})
    assert two.json()["detail"] == "2 velden kloppen niet; zie de fouten."  # the agent reads Dutch
