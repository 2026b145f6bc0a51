"""POST with Idempotency-Key: a retried request returns the first result and creates nothing twice."""

from attent.agents.models import Role
from attent.agents.schemas import AgentCreate
from attent.agents.service import create_agent, create_token
from tests.conftest import Api


def _count_cases(api):
    return len(api.get("/api/v1/cases").json()["items"])


def test_retry_returns_the_first_result_and_creates_once(api, tenant):
    body = {"customer_id": str(tenant.customer.id), "subject": "Retourlabel kwijt"}
    before = _count_cases(api)
    first = api.post("/api/v1/cases", json=body, headers={"Idempotency-Key": "k-1"})
    second = api.post("/api/v1/cases", json=body, headers={"Idempotency-Key": "k-1"})
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert second.headers["idempotent-replayed"] == "true"
    assert _count_cases(api) == before + 1


def test_same_key_for_a_different_request_is_refused(api, tenant):
    api.post(
        f"/api/v1/cases/{tenant.case.id}/notes", json={"text": "eerste"}, headers={"Idempotency-Key": "k-2"}
    )
    again = api.post(
        f"/api/v1/cases/{tenant.case.id}/notes", json={"text": "tweede"}, headers={"Idempotency-Key": "k-2"}
    )
    assert again.status_code == 422
    assert again.json()["code"] == "idempotency_key_reused"
    notes = [
        e
        for e in api.get(f"/api/v1/cases/{tenant.case.id}/timeline").json()["items"]
        if e["kind"] == "note.added"
    ]
    assert [n["data"]["text"] for n in notes] == ["eerste"]


def test_a_failed_request_is_not_remembered(api, tenant):
    bad = api.post(
        "/api/v1/cases",
        json={"customer_id": str(tenant.agent.id), "subject": "x"},
        headers={"Idempotency-Key": "k-3"},
    )
    assert bad.status_code == 404
    good = api.post(
        "/api/v1/cases",
        json={"customer_id": str(tenant.customer.id), "subject": "x"},
        headers={"Idempotency-Key": "k-4"},
    )
    assert good.status_code == 201


def test_keys_are_per_organisation(app_client, tenant, other_tenant):
    ours = Api(app_client, tenant.tokens["agent"]).post(
        "/api/v1/customers", json={"name": "A"}, headers={"Idempotency-Key": "shared"}
    )
    theirs = Api(app_client, other_tenant.tokens["agent"]).post(
        "/api/v1/customers", json={"name": "A"}, headers={"Idempotency-Key": "shared"}
    )
    assert ours.status_code == theirs.status_code == 201
    assert ours.json()["id"] != theirs.json()["id"]
    assert "idempotent-replayed" not in theirs.headers


def test_every_post_that_creates_honours_the_key(api, tenant):
    contact = api.post(
        f"/api/v1/cases/{tenant.case.id}/contacts", json={"channel": "chat"}, headers={"Idempotency-Key": "c"}
    )
    again = api.post(
        f"/api/v1/cases/{tenant.case.id}/contacts", json={"channel": "chat"}, headers={"Idempotency-Key": "c"}
    )
    assert contact.json()["id"] == again.json()["id"]
    msg = {"speaker": "customer", "text": "Hallo"}
    m1 = api.post(
        f"/api/v1/contacts/{contact.json()['id']}/messages", json=msg, headers={"Idempotency-Key": "m"}
    )
    m2 = api.post(
        f"/api/v1/contacts/{contact.json()['id']}/messages", json=msg, headers={"Idempotency-Key": "m"}
    )
    assert m1.json() == m2.json()
    [listed] = api.get(f"/api/v1/cases/{tenant.case.id}/contacts").json()["items"]
    assert len(listed["messages"]) == 1


def test_another_agents_key_never_replays_their_response(app_client, tenant, admin_api, api):
    body = {"email": "nieuw@kopje-koffie.example", "name": "Nieuwe collega", "role": "admin"}
    made = admin_api.post("/api/v1/agents", json=body, headers={"Idempotency-Key": "admin-key"})
    assert made.status_code == 201
    stolen = api.post("/api/v1/agents", json=body, headers={"Idempotency-Key": "admin-key"})
    assert stolen.status_code == 403, stolen.text
    assert stolen.json()["code"] == "role_required"
    assert "idempotent-replayed" not in stolen.headers
    assert "nieuw@kopje-koffie.example" not in stolen.text
    lead = Api(app_client, tenant.tokens["lead"]).post(
        "/api/v1/customers", json={"name": "B"}, headers={"Idempotency-Key": "admin-key"}
    )
    assert lead.status_code == 201 and "idempotent-replayed" not in lead.headers


def test_a_callers_own_retry_still_replays(api):
    first = api.post("/api/v1/customers", json={"name": "C"}, headers={"Idempotency-Key": "mine"})
    again = api.post("/api/v1/customers", json={"name": "C"}, headers={"Idempotency-Key": "mine"})
    assert first.status_code == again.status_code == 201
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json() == first.json()


def test_the_role_is_checked_before_a_replay(app_client, db, clock, tenant, admin_api):
    second = create_agent(
        db=db,
        actor=tenant.admin,
        organisation_id=tenant.organisation_id,
        data=AgentCreate(email="tweede@kopje-koffie.example", name="Tweede", role=Role.ADMIN),
        at=clock.now(),
    )
    _token, secret = create_token(db=db, agent=second, name="t", at=clock.now())
    db.commit()
    second_api = Api(app_client, secret)
    first = second_api.post("/api/v1/teams", json={"name": "Derde"}, headers={"Idempotency-Key": "t-1"})
    assert first.status_code == 201
    assert admin_api.patch(f"/api/v1/agents/{second.id}", json={"role": "agent"}).status_code == 200
    retry = second_api.post("/api/v1/teams", json={"name": "Derde"}, headers={"Idempotency-Key": "t-1"})
    assert retry.status_code == 403, retry.text
    assert "idempotent-replayed" not in retry.headers


def test_a_key_longer_than_the_document_allows_is_refused_naming_the_header(api, tenant):
    response = api.post("/api/v1/customers", json={"name": "Jan"}, headers={"Idempotency-Key": "k" * 201})
    assert response.status_code == 422
    assert response.json()["errors"][0]["path"] == ["header", "Idempotency-Key"]
    schema = api.get("/api/v1/openapi.json").json()["paths"]["/api/v1/customers"]["post"]["parameters"]
    [key] = [p for p in schema if p["name"] == "Idempotency-Key"]
    assert key["schema"]["anyOf"][0]["maxLength"] == 200
