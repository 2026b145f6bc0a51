"""The case page's forms: each works through the services or says why not; customer text stays text."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from attent.channels.models import OutboundMessage
from tests.conftest import Api, page_csrf


@pytest.fixture
def page(app_client, tenant):
    """A browser-like client signed in as the tenant's agent, with its CSRF token."""
    app_client.get("/signin")
    csrf = app_client.cookies.get("attent_csrf")
    signed_in = app_client.post(
        "/signin",
        data={"email": tenant.agent.email, "password": "correct horse battery", "csrf": csrf},
        follow_redirects=False,
    )
    assert signed_in.status_code == 303
    app_client.csrf = page_csrf(app_client)
    return app_client


def _post(page, case_id, action, **form):
    return page.post(f"/cases/{case_id}/{action}", data={"csrf": page.csrf, **form}, follow_redirects=False)


def _kinds(api, case_id):
    return [e["kind"] for e in api.get(f"/api/v1/cases/{case_id}/timeline").json()["items"]]


def test_the_page_shows_brief_customer_promises_and_every_action(page, tenant, api, clock):
    due = clock.now() + timedelta(minutes=30)
    api.post(f"/api/v1/cases/{tenant.case.id}/promises", json={"kind": "callback", "due_at": due.isoformat()})
    html = page.get(f"/cases/{tenant.case.id}").text
    order = [
        html.index(marker)
        for marker in ('id="brief"', 'id="customer-panel"', 'id="promises"', 'id="timeline"')
    ]
    assert order == sorted(order), "brief, customer, promises, timeline: top to bottom"
    assert f'data-countdown="{due.strftime("%Y-%m-%dT%H:%M:%SZ")}"' in html
    for form in ("reply", "note", "call", "status", "promise", "verify"):
        assert f'action="/cases/{tenant.case.id}/{form}"' in html
    assert f'href="/customers/{tenant.customer.id}"' in html


def test_a_note_and_a_dropped_call_land_on_the_timeline_and_in_the_brief(page, tenant, api):
    assert _post(page, tenant.case.id, "note", text="Klant wil liever gebeld worden").status_code == 303
    response = _post(page, tenant.case.id, "call", direction="inbound", outcome="dropped", minutes="3")
    assert response.status_code == 303 and response.headers["location"] == f"/cases/{tenant.case.id}#call"
    assert {"note.added", "contact.logged", "promise.made"} <= set(_kinds(api, tenant.case.id))
    [callback] = api.get("/api/v1/promises", params={"case_id": str(tenant.case.id)}).json()["items"]
    assert callback["source"] == "dropped_contact"
    assert "Bel de klant terug" in page.get(f"/cases/{tenant.case.id}").text


def test_a_reply_is_recorded_and_queued_for_the_customer(page, tenant, api, db):
    assert _post(page, tenant.case.id, "reply", text="Uw pakket is onderweg.").status_code == 303
    [mail] = db.scalars(select(OutboundMessage)).all()
    assert mail.template == "reply" and mail.subject == "Re: Zending nooit aangekomen"
    assert "Uw pakket is onderweg." in mail.body and tenant.agent.name in mail.body
    assert "message.added" in _kinds(api, tenant.case.id)


def test_a_refused_action_says_why_and_writes_nothing(page, tenant, api):
    before = _kinds(api, tenant.case.id)
    response = _post(page, tenant.case.id, "status", to="closed")  # new -> closed is not a legal move
    assert response.status_code == 422 or response.status_code == 409
    assert 'role="alert"' in response.text and "resolved" in response.text
    empty = _post(page, tenant.case.id, "note", text="   ")
    assert empty.status_code == 422 and "Schrijf iets in de notitie." in empty.text
    assert _kinds(api, tenant.case.id) == before


def test_promises_are_made_and_kept_from_the_page(page, tenant, api):
    response = _post(page, tenant.case.id, "promise", kind="callback", in_minutes="20", words="Ik bel u zo")
    assert response.status_code == 303
    [made] = api.get("/api/v1/promises").json()["items"]
    assert made["kind"] == "callback" and made["words"] == "Ik bel u zo"
    assert _post(page, tenant.case.id, f"promises/{made['id']}/keep").status_code == 303
    assert api.get(f"/api/v1/promises/{made['id']}").json()["state"] == "kept"


def test_a_promise_at_a_local_clock_time_is_due_then_and_a_promise_needs_a_time(page, tenant, api):
    # 23 November is winter time in Amsterdam: 14:15 local is 13:15 UTC.
    response = _post(
        page, tenant.case.id, "promise", kind="callback", due_at="2026-11-23T14:15", in_minutes=""
    )
    assert response.status_code == 303, response.text
    [made] = api.get("/api/v1/promises").json()["items"]
    assert made["due_by"] == "2026-11-23T13:15:00Z"
    refused = _post(page, tenant.case.id, "promise", kind="callback", in_minutes="", due_at="")
    assert (
        refused.status_code == 422
        and "Zeg wanneer: binnen hoeveel minuten, of op welk tijdstip." in refused.text
    )
    garbled = _post(page, tenant.case.id, "promise", kind="callback", due_at="morgen om twee")
    assert garbled.status_code == 422 and "Het tijdstip is geen datum en tijd." in garbled.text
    assert len(api.get("/api/v1/promises").json()["items"]) == 1


def _answer(page, response):
    """Where a form redirects to, and the page there (which shows the form's answer once)."""
    assert response.status_code == 303, response.text
    return response.headers["location"], page.get(response.headers["location"])


def test_verification_says_match_or_no_match_and_never_the_value(page, tenant):
    where, wrong = _answer(
        page, _post(page, tenant.case.id, "verify", question="email", answer="iemand@anders.example")
    )
    assert where == f"/cases/{tenant.case.id}#verify"
    assert wrong.status_code == 200 and "Klopt niet" in wrong.text
    assert tenant.customer.email not in wrong.text.split('id="verify"')[1].split("</section>")[0]
    assert "Klopt niet" not in page.get(f"/cases/{tenant.case.id}").text  # the answer shows once
    _where, right = _answer(
        page, _post(page, tenant.case.id, "verify", question="email", answer=" MARIEKE@kopje-koffie.example ")
    )
    assert "Klopt" in right.text and "Geverifieerd" in right.text


def test_customer_text_is_shown_as_text(page, tenant, api):
    payload = "<script>alert(1)</script>"
    api.post(f"/api/v1/cases/{tenant.case.id}/notes", json={"text": payload})
    html = page.get(f"/cases/{tenant.case.id}").text
    assert payload not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert not re.search(r"<script>(?!\s*$)", html.split("</head>")[1])


def test_forms_without_the_csrf_token_are_refused(page, tenant, api):
    response = page.post(f"/cases/{tenant.case.id}/note", data={"text": "x"}, follow_redirects=False)
    assert response.status_code == 403 and "note.added" not in _kinds(api, tenant.case.id)


def test_another_organisations_case_is_not_found(page, other_tenant):
    assert page.get(f"/cases/{other_tenant.case.id}").status_code == 404
    assert _post(page, other_tenant.case.id, "note", text="hallo").status_code == 404


def test_the_playbook_step_says_what_to_tell_and_offers_a_promise(page, tenant, admin_api: Api, api):
    steps = [
        {
            "key": "courier_trace",
            "title": {"nl": "Zending natrekken", "en": "Trace the parcel"},
            "narration": {"nl": "Ik zoek nu uw zending op.", "en": "I'm looking up your parcel now."},
            "default_minutes": 12,
        }
    ]
    put = admin_api.put("/api/v1/playbooks/delivery_missing", json={"steps": steps})
    assert put.status_code == 200, put.text
    where, response = _answer(page, _post(page, tenant.case.id, "step", key="courier_trace"))
    assert where == f"/cases/{tenant.case.id}#playbook"
    assert response.status_code == 200 and "Ik zoek nu uw zending op." in response.text
    assert "Duurt 12 min" in response.text and "12\u201312" not in response.text  # said once
    offer = re.search(r'name="due_by" value="([^"]+)"', response.text)
    assert offer is not None
    made = _post(
        page, tenant.case.id, "promise", kind="step", step_type="courier_trace", due_by=offer.group(1),
        words="Dit duurt ongeveer 12 minuten",
    )  # fmt: skip
    assert made.status_code == 303
    [promise] = api.get("/api/v1/promises").json()["items"]
    assert promise["kind"] == "step" and promise["step_type"] == "courier_trace"
