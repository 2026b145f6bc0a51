"""The case queue on `GET /api/v1/cases`: every filter, the sorts, paging past 100, and saved views."""

from datetime import timedelta

from tests.conftest import Api


def _case(api, tenant, subject="Zaak", **extra):
    body = {
        "customer_id": str(tenant.customer.id),
        "subject": subject,
        "team_id": str(tenant.team_id),
        **extra,
    }
    response = api.post("/api/v1/cases", json=body)
    assert response.status_code == 201, response.text
    return response.json()["id"]


def _ids(api, **params):
    response = api.get("/api/v1/cases", params=params)
    assert response.status_code == 200, response.text
    return [c["id"] for c in response.json()["items"]]


def _promise(api, case_id, due):
    made = api.post(f"/api/v1/cases/{case_id}/promises", json={"kind": "callback", "due_at": due.isoformat()})
    assert made.status_code == 201, made.text


def test_promise_state_filters_and_the_promise_due_sort(api, tenant, clock):
    t0 = clock.now()
    soon, late, later = _case(api, tenant, "Soon"), _case(api, tenant, "Late"), _case(api, tenant, "Later")
    _promise(api, soon, t0 + timedelta(minutes=60))
    _promise(api, late, t0 + timedelta(minutes=10))
    _promise(api, later, t0 + timedelta(days=3))
    clock.advance(timedelta(minutes=59))
    assert _ids(api, promise="at_risk") == [soon]
    assert _ids(api, promise="broken") == [late]  # past its due time and grace, even before the worker runs
    assert set(_ids(api, promise="due_today")) == {soon, late}
    ordered = _ids(api, sort="promise_due")
    assert ordered[:3] == [late, soon, later] and str(tenant.case.id) in ordered[3:]


def test_owner_priority_type_status_and_channel_filters(api, tenant):
    mine = _case(api, tenant, owner_id=str(tenant.agent.id), priority="urgent", type="damaged")
    lead = _case(api, tenant, owner_id=str(tenant.lead.id))
    api.post(f"/api/v1/cases/{lead}/contacts", json={"channel": "email", "messages": []})
    assert _ids(api, owner="me") == [mine]
    assert _ids(api, owner_id=str(tenant.lead.id)) == [lead]
    assert mine not in _ids(api, owner="nobody") and str(tenant.case.id) in _ids(api, owner="nobody")
    assert _ids(api, priority=["urgent", "high"]) == [mine]
    assert _ids(api, type="damaged") == [mine]
    assert _ids(api, channel="email") == [lead]
    assert _ids(api, status="open") == [lead] and mine in _ids(api, status="new")  # a contact opens a case


def test_customers_waiting_longer_than_and_the_waiting_sort(api, tenant, clock):
    waiting = _case(api, tenant, "Wacht al lang")
    api.post(
        f"/api/v1/cases/{waiting}/contacts",
        json={"channel": "chat", "messages": [{"speaker": "customer", "text": "Hallo?"}]},
    )
    clock.advance(timedelta(minutes=45))
    fresh = _case(api, tenant, "Net gevraagd")
    api.post(
        f"/api/v1/cases/{fresh}/contacts",
        json={"channel": "chat", "messages": [{"speaker": "customer", "text": "Hoi"}]},
    )
    assert _ids(api, waiting_over=30) == [waiting]
    assert _ids(api, sort="waiting")[:2] == [waiting, fresh]
    rows = {c["id"]: c for c in api.get("/api/v1/cases").json()["items"]}
    assert rows[waiting]["waiting_since"] is not None and rows[waiting]["customer_name"] == "Marieke Visser"
    assert len(rows[waiting]["reference"]) == 6


def test_bad_filters_are_a_422_naming_each_field(api):
    response = api.get(
        "/api/v1/cases",
        params={
            "status": "sleeping",
            "owner": "iemand",
            "promise": "soon",
            "waiting_over": "-5",
            "sort": "x",
        },
    )
    assert response.status_code == 422
    named = {e["path"][-1] for e in response.json()["errors"]}
    assert named == {"status", "owner", "promise", "waiting_over", "sort"}


def test_paging_goes_past_a_hundred_and_visits_every_case_once(api, tenant, clock):
    made = set()
    for i in range(104):
        made.add(_case(api, tenant, f"Zaak {i}"))
        clock.advance(timedelta(seconds=1))
    for sort in ("activity", "promise_due"):
        seen, cursor = [], None
        while True:
            page = api.get(
                "/api/v1/cases", params={"sort": sort, "limit": 40, **({"cursor": cursor} if cursor else {})}
            )
            assert page.status_code == 200, page.text
            seen += [c["id"] for c in page.json()["items"]]
            cursor = page.json()["next_cursor"]
            if cursor is None:
                break
        assert len(seen) == len(set(seen)) == 105 and made <= set(seen)


def test_saved_views_personal_and_shared_with_a_team(app_client, api, tenant):
    lead, outsider = Api(app_client, tenant.tokens["lead"]), Api(app_client, tenant.tokens["outsider"])
    _case(api, tenant, owner_id=str(tenant.agent.id))
    mine = api.post("/api/v1/views", json={"name": "Mijn zaken", "filters": {"owner": "me"}})
    assert mine.status_code == 201, mine.text
    assert api.post("/api/v1/views", json={"name": "mijn zaken"}).status_code == 409
    assert (
        api.post("/api/v1/views", json={"name": "Ploeg", "team_id": str(tenant.team_id)}).status_code == 403
    )
    bad = api.post("/api/v1/views", json={"name": "Fout", "filters": {"promise": "ooit"}})
    assert bad.status_code == 422
    shared = lead.post(
        "/api/v1/views",
        json={
            "name": "Mijn ploeg — beloftes in gevaar",
            "filters": {"promise": "at_risk"},
            "team_id": str(tenant.team_id),
        },
    )
    assert shared.status_code == 201, shared.text
    listed = {v["name"]: v for v in api.get("/api/v1/views").json()}
    assert listed["Mijn zaken"]["count"] == 1 and listed["Mijn ploeg — beloftes in gevaar"]["count"] == 0
    assert outsider.get("/api/v1/views").json() == []
    assert outsider.delete(f"/api/v1/views/{mine.json()['id']}").status_code == 404
    assert api.delete(f"/api/v1/views/{shared.json()['id']}").status_code == 403
    assert api.delete(f"/api/v1/views/{mine.json()['id']}").status_code == 204
    assert [v["name"] for v in api.get("/api/v1/views").json()] == ["Mijn ploeg — beloftes in gevaar"]


def test_another_organisations_cases_never_show(app_client, api, tenant, other_tenant):
    theirs = Api(app_client, other_tenant.tokens["admin"])
    assert str(other_tenant.case.id) not in _ids(api)
    assert _ids(theirs, customer_id=str(tenant.customer.id)) == []
