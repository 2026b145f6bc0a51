"""Recovery: the catalogue and policy, suggestions from the ladder, grants within limits, approvals,
the budget, promises made by a grant, and the timeline and brief that record it all."""

import uuid
from datetime import timedelta

from sqlalchemy import select

from attent.cases.models import Priority
from attent.cases.schemas import CaseCreate
from attent.cases.service import create_case
from attent.promises.models import Promise, PromiseKind, PromiseState
from attent.timeline.models import TimelineEvent
from tests.conftest import Api


def _failure(db, tenant, clock, *, days_ago=0, type="delivery_missing", priority=Priority.NORMAL):
    case = create_case(
        db=db,
        actor=tenant.agent,
        at=clock.now() - timedelta(days=days_ago),
        data=CaseCreate(
            customer_id=tenant.customer.id,
            subject="Kapot",
            type=type,
            team_id=tenant.team_id,
            priority=priority,
        ),
    )
    db.commit()
    return case


def _codes(suggestion):
    return [g["code"] for g in suggestion["gestures"]]


def test_first_failure_suggests_small_attention_and_replacement_the_third_a_credit(api, db, tenant, clock):
    first = api.get(f"/api/v1/recovery/cases/{tenant.case.id}/suggestion").json()
    assert _codes(first) == ["small_attention", "replacement"]
    assert first["failures"] == 1
    assert first["reason"].startswith("Eerste")  # the agent reads Dutch
    _failure(db, tenant, clock, days_ago=-1, type="damaged")
    third = _failure(db, tenant, clock, days_ago=-2)
    later = api.get(f"/api/v1/recovery/cases/{third.id}/suggestion").json()
    assert later["failures"] == 3
    assert _codes(later) == ["credit"]


def test_failures_outside_the_period_do_not_count_and_other_types_get_no_suggestion(api, db, tenant, clock):
    _failure(db, tenant, clock, days_ago=200)
    assert api.get(f"/api/v1/recovery/cases/{tenant.case.id}/suggestion").json()["failures"] == 1
    question = _failure(db, tenant, clock, type="question")
    assert api.get(f"/api/v1/recovery/cases/{question.id}/suggestion").json() is None


def test_high_impact_moves_one_rung_up(api, db, tenant, clock):
    urgent = _failure(db, tenant, clock, days_ago=-1, priority=Priority.URGENT)
    suggestion = api.get(f"/api/v1/recovery/cases/{urgent.id}/suggestion").json()
    assert suggestion["failures"] == 2
    assert suggestion["impact"] is True
    assert _codes(suggestion) == ["credit"]


def test_an_agent_grants_a_replacement_which_makes_a_delivery_promise_and_a_timeline_event(
    api, db, tenant, clock
):
    response = api.post(
        "/api/v1/recovery/gestures", json={"case_id": str(tenant.case.id), "code": "replacement"}
    )
    assert response.status_code == 201, response.text
    gesture = response.json()
    assert gesture["state"] == "granted"
    assert gesture["outcome_due_at"] == (clock.now() + timedelta(days=30)).isoformat().replace("+00:00", "Z")
    promise = db.get(Promise, (tenant.organisation_id, uuid.UUID(gesture["promise_id"])))
    assert promise.kind is PromiseKind.DELIVERY
    assert promise.due_by == clock.now() + timedelta(hours=24)
    kinds = [e.kind for e in db.scalars(select(TimelineEvent).where(TimelineEvent.case_id == tenant.case.id))]
    assert "gesture.granted" in kinds and "promise.made" in kinds
    # the suggestion is gone once the case has a gesture
    assert api.get(f"/api/v1/recovery/cases/{tenant.case.id}/suggestion").json() is None
    # done keeps the delivery promise
    done = api.post(f"/api/v1/recovery/gestures/{gesture['id']}/done").json()
    assert done["state"] == "done"
    db.expire_all()
    assert (
        db.get(Promise, (tenant.organisation_id, uuid.UUID(gesture["promise_id"]))).state is PromiseState.KEPT
    )


def test_above_the_threshold_an_agent_is_refused_and_a_lead_approves(app_client, api, tenant):
    body = {"case_id": str(tenant.case.id), "code": "refund"}  # €25 > €20 threshold
    refused = api.post("/api/v1/recovery/gestures", json=body)
    assert refused.status_code == 403
    assert refused.json()["code"] == "approval_required"
    assert "€\xa025,00" in refused.json()["detail"] and "€\xa020,00" in refused.json()["detail"]
    asked = api.post("/api/v1/recovery/gestures", json={**body, "request_approval": True}).json()
    assert asked["state"] == "pending_approval"
    assert api.post(f"/api/v1/recovery/gestures/{asked['id']}/approve").status_code == 403
    lead = Api(app_client, tenant.tokens["lead"])
    waiting = lead.get("/api/v1/recovery/gestures", params={"state": "pending_approval"}).json()["items"]
    assert [g["id"] for g in waiting] == [asked["id"]]
    approved = lead.post(f"/api/v1/recovery/gestures/{asked['id']}/approve", json={"make_promise": False})
    assert approved.status_code == 200, approved.text
    assert approved.json()["state"] == "granted"
    assert approved.json()["decided_by_id"] == str(tenant.lead.id)
    assert approved.json()["promise_id"] is None


def test_a_grant_over_the_budget_is_refused_with_what_is_left_unless_a_lead_approves(
    app_client, admin_api, api, tenant
):
    catalogue = admin_api.get("/api/v1/recovery/catalogue").json()
    catalogue["monthly_budget_cents"] = 2000
    assert admin_api.put("/api/v1/recovery/catalogue", json=catalogue).status_code == 200
    case = {"case_id": str(tenant.case.id)}
    assert api.post("/api/v1/recovery/gestures", json={**case, "code": "replacement"}).status_code == 201
    refused = api.post("/api/v1/recovery/gestures", json={**case, "code": "credit"})
    assert refused.status_code == 409
    problem = refused.json()
    assert problem["code"] == "over_budget"
    assert "nog €\xa05,00 van €\xa020,00" in problem["detail"]
    budget = api.get("/api/v1/recovery/budget").json()
    assert budget["spent_cents"] == 1500 and budget["remaining_cents"] == 500 and budget["month"] == "2026-11"
    lead = Api(app_client, tenant.tokens["lead"])
    granted = lead.post("/api/v1/recovery/gestures", json={**case, "code": "credit"}).json()
    assert granted["state"] == "granted" and granted["over_budget"] is True
    assert api.get("/api/v1/recovery/budget").json()["remaining_cents"] == -500


def test_the_budget_starts_afresh_each_local_month(api, tenant, clock):
    api.post("/api/v1/recovery/gestures", json={"case_id": str(tenant.case.id), "code": "replacement"})
    assert api.get("/api/v1/recovery/budget").json()["spent_cents"] == 1500
    clock.advance(timedelta(days=8))  # 1 December in Amsterdam
    december = api.get("/api/v1/recovery/budget").json()
    assert december["month"] == "2026-12" and december["spent_cents"] == 0


def test_declining_the_suggestion_records_it_and_stops_suggesting(api, tenant):
    response = api.post(
        f"/api/v1/recovery/cases/{tenant.case.id}/suggestion/decline",
        json={"reason": "Klant wil alleen geld terug"},
    )
    assert response.status_code == 200, response.text
    declined = response.json()["items"]
    assert {g["code"] for g in declined} == {"small_attention", "replacement"}
    assert all(g["state"] == "declined" for g in declined)
    assert api.get(f"/api/v1/recovery/cases/{tenant.case.id}/suggestion").json() is None
    again = api.post(
        f"/api/v1/recovery/cases/{tenant.case.id}/suggestion/decline", json={"reason": "nogmaals"}
    )
    assert again.status_code == 409


def test_catalogue_errors_name_the_field(admin_api, api):
    catalogue = admin_api.get("/api/v1/recovery/catalogue").json()
    assert api.put("/api/v1/recovery/catalogue", json=catalogue).status_code == 403
    bad = {**catalogue, "gestures": [*catalogue["gestures"], {**catalogue["gestures"][0], "currency": "USD"}]}
    response = admin_api.put("/api/v1/recovery/catalogue", json=bad)
    assert response.status_code == 422
    pointers = {e["pointer"] for e in response.json()["errors"]}
    assert pointers == {"/gestures/4/code", "/gestures/4/currency"}
    unknown = {**catalogue, "budget": 5}
    response = admin_api.put("/api/v1/recovery/catalogue", json=unknown)
    assert response.status_code == 422 and response.json()["errors"][0]["path"] == ["body", "budget"]
    negative = {**catalogue, "gestures": [{**catalogue["gestures"][0], "cost_cents": -1}]}
    response = admin_api.put("/api/v1/recovery/catalogue", json=negative)
    assert response.json()["errors"][0]["pointer"] == "/gestures/0/cost_cents"
    dropped = {**catalogue, "gestures": catalogue["gestures"][:1]}  # the ladder still names the others
    response = admin_api.put("/api/v1/recovery/catalogue", json=dropped)
    assert response.status_code == 422 and "replacement" in response.text


def test_policy_errors_name_the_rung_and_gesture(admin_api):
    policy = admin_api.get("/api/v1/recovery/policy").json()
    policy["ladder"] = [{"failures": 2, "gestures": ["credit"]}, {"failures": 1, "gestures": ["flowers"]}]
    response = admin_api.put("/api/v1/recovery/policy", json=policy)
    assert response.status_code == 422
    assert {e["pointer"] for e in response.json()["errors"]} == {"/ladder/1/failures", "/ladder/1/gestures/0"}
    policy["ladder"] = [{"failures": 1, "gestures": ["credit"]}]
    policy["failure_types"] = ["parcel_lost"]
    saved = admin_api.put("/api/v1/recovery/policy", json=policy)
    assert saved.status_code == 200 and saved.json()["failure_types"] == ["parcel_lost"]


def test_unknown_gesture_and_bad_input(api, tenant):
    response = api.post("/api/v1/recovery/gestures", json={"case_id": str(tenant.case.id), "code": "flowers"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["path"] == ["code"]
    response = api.post(
        "/api/v1/recovery/gestures", json={"case_id": str(tenant.case.id), "code": "Flowers!"}
    )
    assert response.status_code == 422 and response.json()["errors"][0]["pointer"] == "/code"
    granted = api.post(
        "/api/v1/recovery/gestures", json={"case_id": str(tenant.case.id), "code": "credit"}
    ).json()
    response = api.post(f"/api/v1/recovery/gestures/{granted['id']}/survey", json={"score": 6})
    assert response.status_code == 422 and response.json()["errors"][0]["pointer"] == "/score"
    assert (
        api.post(f"/api/v1/recovery/gestures/{granted['id']}/survey", json={"score": 4}).json()[
            "survey_score"
        ]
        == 4
    )
    assert api.post(f"/api/v1/recovery/gestures/{granted['id']}/survey", json={"score": 5}).status_code == 409
    assert (
        api.post(f"/api/v1/recovery/gestures/{granted['id']}/decline", json={"reason": "nee"}).status_code
        == 409
    )


def test_gestures_of_cases_in_other_teams_are_not_found(app_client, api, tenant):
    granted = api.post(
        "/api/v1/recovery/gestures", json={"case_id": str(tenant.case.id), "code": "credit"}
    ).json()
    outsider = Api(app_client, tenant.tokens["outsider"])
    assert outsider.get(f"/api/v1/recovery/gestures/{granted['id']}").status_code == 404
    assert outsider.get("/api/v1/recovery/gestures").json()["items"] == []


def test_the_brief_shows_what_was_given_and_what_waits_for_a_lead(app_client, api, tenant):
    case_id = str(tenant.case.id)
    api.post("/api/v1/recovery/gestures", json={"case_id": case_id, "code": "replacement"})
    api.post(
        "/api/v1/recovery/gestures", json={"case_id": case_id, "code": "refund", "request_approval": True}
    )
    declined = api.post(
        "/api/v1/recovery/gestures", json={"case_id": case_id, "code": "credit", "request_approval": True}
    )
    lead = Api(app_client, tenant.tokens["lead"])
    lead.post(f"/api/v1/recovery/gestures/{declined.json()['id']}/decline", json={"reason": "Dubbel"})
    brief = api.get(f"/api/v1/cases/{case_id}/brief", headers={"Accept-Language": "en"}).json()
    assert [(g["code"], g["state"]) for g in brief["gestures"]] == [
        ("replacement", "granted"),
        ("refund", "pending_approval"),
    ]
    assert brief["gestures"][0]["summary"] == "Vervanging (€\xa015,00) — toegekend"
    done = [d["summary"] for d in brief["done"]]
    assert "Agent kopje-koffie kende toe: Vervanging (€\xa015,00)" in done
    assert "Lead kopje-koffie wees af: Tegoed van €10 (€\xa010,00) (Dubbel)" in done
