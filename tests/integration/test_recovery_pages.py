"""Recovery in the workspace: the case page's panel, the leads' approvals on /team, the customer's
surprise moments, and the catalogue and outcomes pages; every form with its CSRF token."""

from html import unescape

import pytest
from sqlalchemy import select

from attent.recovery.models import Gesture, GestureState
from attent.recovery.service import suggest_gesture
from tests.conftest import Api, page_csrf


def _sign_in(client, email, password="correct horse battery"):
    client.get("/signin")
    csrf = client.cookies.get("attent_csrf")
    response = client.post(
        "/signin", data={"email": email, "password": password, "csrf": csrf}, follow_redirects=False
    )
    assert response.status_code == 303
    client.csrf = page_csrf(client)
    return client


@pytest.fixture
def page(app_client, tenant):
    """Signed in as the tenant's agent."""
    return _sign_in(app_client, tenant.agent.email)


def _with_password(db, agent):
    from attent.core.security import hash_password

    agent.password_hash = hash_password("correct horse battery")
    db.commit()


def test_the_case_page_suggests_a_gesture_with_its_reason_and_grants_it(page, api, tenant):
    html = page.get(f"/cases/{tenant.case.id}").text
    assert 'id="recovery"' in html
    assert "Eerste keer mis voor deze klant in 90 dagen." in html
    assert "Klein presentje" in html and "Vervanging" in html
    assert "Budget 2026-11: € 500,00 over van € 500,00" in html.replace("\xa0", " ")
    response = page.post(
        f"/cases/{tenant.case.id}/recovery/offer",
        data={"csrf": page.csrf, "code": "replacement", "reason": "Eerste keer mis"},
        follow_redirects=False,
    )
    assert response.status_code == 303 and response.headers["location"].endswith("#recovery")
    [gesture] = api.get("/api/v1/recovery/gestures", params={"case_id": str(tenant.case.id)}).json()["items"]
    assert gesture["state"] == "granted" and gesture["promise_id"]
    html = page.get(f"/cases/{tenant.case.id}").text
    assert "Vervanging (€\xa015,00) — toegekend" in html  # in the brief
    assert f'action="/cases/{tenant.case.id}/recovery/{gesture["id"]}/done"' in html


def test_above_the_threshold_the_panel_says_why_and_nothing_is_written(page, db, tenant):
    response = page.post(
        f"/cases/{tenant.case.id}/recovery/offer",
        data={"csrf": page.csrf, "code": "refund"},
        follow_redirects=False,
    )
    assert response.status_code == 403
    assert "meer dan de €\xa020,00 die een medewerker mag toekennen" in unescape(response.text)
    assert db.scalars(select(Gesture)).all() == []
    asked = page.post(
        f"/cases/{tenant.case.id}/recovery/offer",
        data={"csrf": page.csrf, "code": "refund", "request_approval": "true"},
        follow_redirects=False,
    )
    assert asked.status_code == 303
    assert db.scalars(select(Gesture.state)).all() == [GestureState.PENDING_APPROVAL]


def test_forms_without_the_csrf_token_are_refused(page, db, tenant):
    response = page.post(
        f"/cases/{tenant.case.id}/recovery/offer", data={"code": "credit"}, follow_redirects=False
    )
    assert response.status_code == 403
    assert db.scalars(select(Gesture)).all() == []


def test_a_lead_sees_a_birthday_surprise_on_team_and_approves_it(app_client, db, tenant, clock):
    _with_password(db, tenant.lead)
    made = suggest_gesture(
        db=db,
        organisation_id=tenant.organisation_id,
        customer_id=tenant.customer.id,
        case_id=None,
        reason="Verjaardag tijdens het verblijf",
        occasion="birthday",
        gesture_code=None,
        source="rule:birthday",
        at=clock.now(),
    )
    db.commit()
    lead = _sign_in(app_client, tenant.lead.email)
    html = lead.get("/team").text
    assert 'id="approvals"' in html and "Verjaardag tijdens het verblijf" in html
    assert "verrassing voor: verjaardag" in html
    response = lead.post(
        f"/team/recovery/{made.id}/approve", data={"csrf": lead.csrf}, follow_redirects=False
    )
    assert response.status_code == 303
    db.expire_all()
    assert db.get(Gesture, (tenant.organisation_id, made.id)).state is GestureState.GRANTED
    Api(app_client, tenant.tokens["lead"]).post(f"/api/v1/recovery/gestures/{made.id}/done")
    customer = lead.get(f"/customers/{tenant.customer.id}").text
    assert 'id="gestures"' in customer and "Klein presentje" in customer and "gedaan" in customer


def test_agents_cannot_approve_from_the_team_page(page, db, tenant, clock):
    made = suggest_gesture(
        db=db,
        organisation_id=tenant.organisation_id,
        customer_id=tenant.customer.id,
        case_id=None,
        reason="Verjaardag",
        occasion="birthday",
        gesture_code=None,
        source="rule:birthday",
        at=clock.now(),
    )
    db.commit()
    response = page.post(
        f"/team/recovery/{made.id}/approve", data={"csrf": page.csrf}, follow_redirects=False
    )
    assert response.status_code == 403
    db.expire_all()
    assert db.get(Gesture, (tenant.organisation_id, made.id)).state is GestureState.PENDING_APPROVAL


def _catalogue_form(page, **changes):
    form = {
        "csrf": page.csrf,
        "currency": "EUR",
        "monthly_budget": "300,00",
        "approval_threshold": "25",
        "code": ["small_attention", "replacement", "credit", "refund", "beans"],
        "kind": ["small_attention", "replacement", "credit", "refund", "small_attention"],
        "name_nl": ["Klein presentje", "Vervanging", "Tegoed", "Terugbetaling", "Bonen"],
        "name_en": ["A small gift", "Replacement", "Credit", "Refund", "Beans"],
        "description_nl": ["x", "x", "x", "x", "250 gram"],
        "description_en": ["x", "x", "x", "x", "250 grams"],
        "cost": ["5", "15", "10", "25", "7,50"],
        "promise_hours": ["", "24", "", "72", ""],
        "failure_types": "delivery_missing, damaged",
        "check_in_hours": "48",
        "check_in_mode": "message",
    }
    form.update(changes)
    return page.post("/recovery/catalogue", data=form, follow_redirects=False)


def test_an_admin_edits_the_catalogue_budget_and_check_ins_on_a_page(app_client, db, tenant, admin_api):
    _with_password(db, tenant.admin)
    admin = _sign_in(app_client, tenant.admin.email)
    assert admin.get("/recovery/catalogue").status_code == 200
    assert _catalogue_form(admin).status_code == 303
    catalogue = admin_api.get("/api/v1/recovery/catalogue").json()
    assert catalogue["monthly_budget_cents"] == 30000 and catalogue["approval_threshold_cents"] == 2500
    assert catalogue["gestures"][-1] == {
        "code": "beans",
        "kind": "small_attention",
        "name": {"nl": "Bonen", "en": "Beans"},
        "description": {"nl": "250 gram", "en": "250 grams"},
        "cost_cents": 750,
        "currency": "EUR",
        "promise_hours": None,
    }
    policy = admin_api.get("/api/v1/recovery/policy").json()
    assert policy["failure_types"] == ["delivery_missing", "damaged"]
    assert policy["check_in"] == {"after_hours": 48, "mode": "message"}
    bad = _catalogue_form(admin, cost=["5", "15", "tien", "25", "7"])
    assert bad.status_code == 422 and "Er is niets opgeslagen" in bad.text
    assert "Gebaar 3, kosten: “tien” is geen bedrag." in unescape(bad.text)
    assert admin_api.get("/api/v1/recovery/catalogue").json()["monthly_budget_cents"] == 30000


def test_agents_do_not_get_the_catalogue_or_outcomes_pages(page):
    assert page.get("/recovery/catalogue").status_code == 403
    assert page.get("/recovery/outcomes").status_code == 403


def test_the_outcomes_page_shows_each_kind(app_client, db, api, tenant):
    api.post("/api/v1/recovery/gestures", json={"case_id": str(tenant.case.id), "code": "replacement"})
    _with_password(db, tenant.lead)
    lead = _sign_in(app_client, tenant.lead.email)
    html = lead.get("/recovery/outcomes").text
    assert "Welke gebaren werken" in html and "nog niet bekend" in html and "€\xa015,00" in html
    assert lead.get("/recovery/outcomes", params={"since": "gisteren"}).status_code == 422
