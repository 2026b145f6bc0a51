"""Two-factor sign-in: enrol with a real TOTP app's codes, sign in with a code or a recovery code, each
once; an organisation that requires it; a remembered browser; an admin who switches it off."""

import re
from datetime import timedelta
from html import unescape

import pyotp
import pytest
from sqlalchemy import select

from attent.agents.models import Agent
from tests.conftest import Api, page_csrf

PASSWORD = "correct horse battery"


def _sign_in(client, email, password=PASSWORD, next_="/"):
    csrf = page_csrf(client)
    return client.post(
        "/signin",
        data={"email": email, "password": password, "csrf": csrf, "next": next_},
        follow_redirects=False,
    )


def _code(client, code, remember=False):
    csrf = page_csrf(client, "/signin/code")
    data = {"code": code, "csrf": csrf, "next": "/cases"} | ({"remember": "true"} if remember else {})
    return client.post("/signin/code", data=data, follow_redirects=False)


def _sign_out(client):
    csrf = page_csrf(client, "/me/security")
    client.post("/signout", data={"csrf": csrf}, follow_redirects=False)
    client.cookies.delete("attent_session")


@pytest.fixture
def enrolled(app_client, tenant, clock):
    """The tenant's agent switched two-factor on from My sign-in; returns (secret, recovery codes)."""
    assert _sign_in(app_client, tenant.agent.email).status_code == 303
    page = app_client.get("/me/security")
    assert page.status_code == 200 and "Inloggen in twee stappen" in page.text and "<svg" in page.text
    secret = re.search(r"<code data-secret>([A-Z2-7]+)</code>", page.text).group(1)
    csrf = page_csrf(app_client, "/me/security")
    wrong = app_client.post("/me/security/2fa", data={"csrf": csrf, "secret": secret, "code": "000000"})
    assert wrong.status_code == 422 and "De code klopt niet" in unescape(wrong.text)
    done = app_client.post(
        "/me/security/2fa", data={"csrf": csrf, "secret": secret, "code": pyotp.TOTP(secret).at(clock.now())}
    )
    assert done.status_code == 200 and "Inloggen in twee stappen staat aan." in done.text
    codes = re.findall(r"<li><code>([a-z2-9]{5}-[a-z2-9]{5})</code></li>", done.text)
    assert len(codes) == 10 and len(set(codes)) == 10
    _sign_out(app_client)
    clock.advance(timedelta(seconds=30))  # the enrolment's code is used; the next step's is new
    return secret, codes


def test_after_enrolling_the_password_alone_opens_no_session(app_client, tenant, enrolled, clock, db):
    secret, _codes = enrolled
    stored = db.scalar(select(Agent.totp_secret).where(Agent.id == tenant.agent.id))
    assert stored and secret not in stored  # sealed, not the secret itself
    first = _sign_in(app_client, tenant.agent.email, next_="/cases")
    assert first.status_code == 303 and first.headers["location"] == "/signin/code?next=/cases"
    assert "attent_session" not in app_client.cookies
    assert app_client.get("/", follow_redirects=False).status_code == 303  # not signed in yet
    assert _code(app_client, "123456").status_code == 401
    code = pyotp.TOTP(secret).at(clock.now())
    signed = _code(app_client, code)
    assert signed.status_code == 303 and signed.headers["location"] == "/cases"
    assert app_client.get("/me/security").status_code == 200
    _sign_out(app_client)
    _sign_in(app_client, tenant.agent.email)
    replay = _code(app_client, code)  # the same code, seen over a shoulder, works once
    assert replay.status_code == 401 and "De code klopt niet" in unescape(replay.text)


def test_a_recovery_code_works_once(app_client, tenant, enrolled):
    _secret, codes = enrolled
    _sign_in(app_client, tenant.agent.email)
    assert _code(app_client, codes[3].upper()).status_code == 303
    assert "Nog 9 herstelcode(s) over." in app_client.get("/me/security").text
    _sign_out(app_client)
    _sign_in(app_client, tenant.agent.email)
    assert _code(app_client, codes[3]).status_code == 401


def test_wrong_codes_are_throttled(app_client, tenant, enrolled, clock):
    secret, _ = enrolled
    _sign_in(app_client, tenant.agent.email)
    for _ in range(5):
        assert _code(app_client, "000000").status_code == 401
    locked = _code(app_client, pyotp.TOTP(secret).at(clock.now()))
    assert locked.status_code == 429


def test_the_code_step_without_a_password_leads_back_to_sign_in(app_client):
    assert app_client.get("/signin/code", follow_redirects=False).headers["location"] == "/signin"


def test_a_remembered_browser_skips_the_code_for_the_allowed_days(app_client, tenant, enrolled, clock):
    secret, _ = enrolled
    admin = Api(app_client, tenant.tokens["admin"])
    admin.get("/admin/people")
    csrf = app_client.cookies.get("attent_csrf")
    saved = admin.post(
        "/admin/people/policy", data={"csrf": csrf, "remember_days": "30"}, follow_redirects=False
    )
    assert saved.status_code == 303
    _sign_in(app_client, tenant.agent.email)
    assert "30 dagen onthouden" in app_client.get("/signin/code").text
    assert _code(app_client, pyotp.TOTP(secret).at(clock.now()), remember=True).status_code == 303
    _sign_out(app_client)
    again = _sign_in(app_client, tenant.agent.email)
    assert again.headers["location"] == "/"  # straight in
    _sign_out(app_client)
    clock.advance(timedelta(days=31))
    assert _sign_in(app_client, tenant.agent.email).headers["location"].startswith("/signin/code")


def test_an_organisation_that_requires_it_enrols_agents_at_sign_in(app_client, tenant, clock):
    admin = Api(app_client, tenant.tokens["admin"])
    admin.get("/admin/people")
    csrf = app_client.cookies.get("attent_csrf")
    form = {"csrf": csrf, "required": "true", "remember_days": "0"}
    assert admin.post("/admin/people/policy", data=form, follow_redirects=False).status_code == 303
    assert 'name="required" value="true" checked' in admin.get("/admin/people").text
    first = _sign_in(app_client, tenant.agent.email)
    assert first.headers["location"] == "/signin/setup?next=/"
    setup = app_client.get("/signin/setup")
    assert setup.status_code == 200 and "Uw organisatie logt in met een tweede stap." in setup.text
    secret = re.search(r"<code data-secret>([A-Z2-7]+)</code>", setup.text).group(1)
    csrf = page_csrf(app_client, "/signin/setup")
    code = pyotp.TOTP(secret).at(clock.now())
    done = app_client.post("/signin/setup", data={"csrf": csrf, "secret": secret, "code": code})
    assert done.status_code == 200 and len(re.findall(r"<li><code>", done.text)) == 10
    assert app_client.get("/me/security").status_code == 200  # signed in now


def test_an_admin_switches_a_lost_phone_off(app_client, tenant, enrolled, admin_api):
    assert admin_api.get(f"/api/v1/agents/{tenant.agent.id}").status_code == 200
    admin = Api(app_client, tenant.tokens["admin"])
    page = admin.get(f"/admin/people/{tenant.agent.id}")
    assert "Inloggen in twee stappen: Aan." in unescape(page.text)
    csrf = app_client.cookies.get("attent_csrf")
    off = admin.post(
        f"/admin/people/{tenant.agent.id}/reset-2fa", data={"csrf": csrf}, follow_redirects=False
    )
    assert off.status_code == 303
    assert _sign_in(app_client, tenant.agent.email).headers["location"] == "/"
