"""POST with Idempotency-Key: a retried request returns the first result and creates nothing twice."""


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
    from tests.conftest import Api

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
