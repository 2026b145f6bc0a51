"""Every case page form ends on the page's own address, so a reload and the live refresh ask for the page.

The live refresh fetches the page's own address (data-page on the live root); before, verify and
playbook steps answered on their POST address and the refresh's GET there was a silent 405.
"""

import re
from datetime import timedelta
from html import unescape

import pytest

from attent.core import flash
from attent.core.security import hash_password
from tests.conftest import Api, page_csrf

PASSWORD = "correct horse battery"


def _sign_in(client, email):
    client.cookies.clear()
    client.get("/signin")
    csrf = client.cookies.get("attent_csrf")
    response = client.post(
        "/signin", data={"email": email, "password": PASSWORD, "csrf": csrf}, follow_redirects=False
    )
    assert response.status_code == 303
    return page_csrf(client, "/")  # signed in, the forms carry the session's token


@pytest.fixture
def csrf(app_client, tenant):
    return _sign_in(app_client, tenant.agent.email)


@pytest.fixture
def playbook(admin_api: Api):
    steps = [
        {
            "key": "courier_trace",
            "title": {"nl": "Zending natrekken", "en": "Trace the parcel"},
            "narration": {"nl": "Ik zoek nu uw zending op.", "en": "I'm looking up your parcel now."},
            "default_minutes": 12,
        }
    ]
    assert admin_api.put("/api/v1/playbooks/delivery_missing", json={"steps": steps}).status_code == 200


def _live_url(html: str) -> str:
    """The address the page's live refresh fetches."""
    found = re.search(r'data-live="[^"]+" data-page="([^"]+)"', html)
    assert found, "the case page names its own address for the live refresh"
    return found.group(1)


def test_every_case_form_redirects_to_the_page_the_live_refresh_asks_for(
    app_client, csrf, tenant, api, clock, playbook
):
    case = f"/cases/{tenant.case.id}"
    promise = api.post(
        f"/api/v1/cases/{tenant.case.id}/promises",
        json={"kind": "callback", "due_at": (clock.now() + timedelta(hours=1)).isoformat()},
    ).json()
    forms = [
        (f"promises/{promise['id']}/keep", {}),  # before the reply and the call, which keep it themselves
        ("note", {"text": "Vervoerder gebeld"}),
        ("reply", {"text": "We zoeken het uit."}),
        ("call", {"direction": "outbound", "outcome": "resolved", "minutes": "4", "summary": "Gebeld"}),
        ("promise", {"kind": "follow_up", "in_minutes": "30", "words": "Ik laat het u weten"}),
        ("verify", {"question": "email", "answer": "iemand@anders.example"}),
        ("step", {"key": "courier_trace"}),
        ("recovery/offer", {"code": "small_attention", "reason": "Het duurt lang"}),
        ("status", {"to": "waiting_on_third_party"}),
    ]
    for action, form in forms:
        response = app_client.post(f"{case}/{action}", data={"csrf": csrf, **form}, follow_redirects=False)
        assert response.status_code == 303, f"{action}: {response.status_code} {response.text[:300]}"
        where = response.headers["location"]
        assert where.split("#")[0] == case, f"{action} ends on {where}"
        page = app_client.get(where)
        assert page.status_code == 200
        assert app_client.get(_live_url(page.text)).status_code == 200, action


def test_a_refused_form_names_the_page_to_refresh_and_reload(app_client, csrf, tenant):
    case = f"/cases/{tenant.case.id}"
    refused = app_client.post(f"{case}/note", data={"csrf": csrf, "text": " "}, follow_redirects=False)
    assert refused.status_code == 422
    assert app_client.get(f"{case}/note").status_code == 405  # what the refresh asked for before
    assert _live_url(refused.text) == case and app_client.get(case).status_code == 200
    assert f'<body data-page="{case}">' in refused.text  # attent.js puts the page's address in the bar


def test_the_answer_shows_once_and_only_to_the_agent_on_that_case(app_client, csrf, tenant, clock, db):
    case = f"/cases/{tenant.case.id}"
    answered = app_client.post(
        f"{case}/verify",
        data={"csrf": csrf, "question": "email", "answer": "iemand@anders.example"},
        follow_redirects=False,
    )
    cookie = answered.cookies.get(flash.COOKIE)
    assert cookie and f"Path={case}" in answered.headers["set-cookie"]
    assert "Klopt niet" in app_client.get(case).text
    assert "Klopt niet" not in app_client.get(case).text  # read once

    app_client.cookies.set(flash.COOKIE, cookie, path=case)
    clock.advance(timedelta(minutes=3))
    assert "Klopt niet" not in app_client.get(case).text  # and only for two minutes

    forged = cookie.rsplit(".", 1)[0] + ".AAAA"
    app_client.cookies.set(flash.COOKIE, forged, path=case)
    assert "Klopt niet" not in app_client.get(case).text

    tenant.lead.password_hash = hash_password(PASSWORD)
    db.commit()
    _sign_in(app_client, tenant.lead.email)
    app_client.cookies.set(flash.COOKIE, cookie, path=case)
    clock.advance(timedelta(minutes=-3))
    assert "Klopt niet" not in unescape(app_client.get(case).text)  # another agent cannot read it
