"""Agents, teams, roles, presence, tokens and web sign-in."""

from datetime import timedelta

from fastapi.testclient import TestClient

from attent.app import create_app
from tests.conftest import Api, page_csrf


def test_admin_manages_agents_and_teams(admin_api, tenant):
    team = admin_api.post("/api/v1/teams", json={"name": "Nachtdienst"})
    assert team.status_code == 201
    created = admin_api.post(
        "/api/v1/agents",
        json={
            "email": "Noor@Example.com",
            "name": "Noor",
            "role": "lead",
            "team_ids": [team.json()["id"]],
            "password": "a long password",
        },
    )
    assert created.status_code == 201, created.text
    noor = created.json()
    assert (
        noor["email"] == "noor@example.com"
        and noor["team_ids"] == [team.json()["id"]]
        and noor["presence"] == "offline"
    )
    assert "password" not in noor and "password_hash" not in noor
    assert (
        admin_api.post("/api/v1/agents", json={"email": "noor@example.com", "name": "Noor 2"}).json()["code"]
        == "agent_exists"
    )
    moved = admin_api.patch(
        f"/api/v1/agents/{noor['id']}", json={"team_ids": [str(tenant.team_id)], "active": False}
    ).json()
    assert moved["team_ids"] == [str(tenant.team_id)] and moved["active"] is False
    listed = admin_api.get(f"/api/v1/teams/{tenant.team_id}").json()
    assert noor["id"] in listed["member_ids"]
    bad = admin_api.post(
        "/api/v1/agents", json={"email": "x@example.com", "name": "X", "team_ids": [str(tenant.case.id)]}
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["path"] == ["team_ids", 0]


def test_agents_and_leads_cannot_manage_agents(app_client, tenant):
    for role in ("agent", "lead"):
        api = Api(app_client, tenant.tokens[role])
        response = api.post("/api/v1/agents", json={"email": "z@example.com", "name": "Z"})
        assert response.status_code == 403 and response.json()["code"] == "role_required"
        assert api.post("/api/v1/teams", json={"name": "Mine"}).status_code == 403
        assert api.patch(f"/api/v1/agents/{tenant.outsider.id}", json={"name": "Hacked"}).status_code in (
            403,
            404,
        )
    agent = Api(app_client, tenant.tokens["agent"])
    assert agent.patch(f"/api/v1/agents/{tenant.agent.id}", json={"role": "admin"}).status_code == 403
    assert (
        agent.patch(f"/api/v1/agents/{tenant.agent.id}", json={"name": "Fatima"}).json()["name"] == "Fatima"
    )


def test_an_agent_reads_by_id_only_whom_the_list_shows(app_client, tenant):
    agent = Api(app_client, tenant.tokens["agent"])
    listed = {a["id"] for a in agent.get("/api/v1/agents").json()["items"]}
    assert str(tenant.outsider.id) not in listed
    hidden = agent.get(f"/api/v1/agents/{tenant.outsider.id}")
    assert hidden.status_code == 404 and "back@" not in hidden.text
    assert agent.get(f"/api/v1/agents/{tenant.admin.id}").status_code == 404  # in no team of theirs
    for visible in listed:
        assert agent.get(f"/api/v1/agents/{visible}").status_code == 200
    assert agent.get(f"/api/v1/agents/{tenant.agent.id}").status_code == 200
    for role in ("lead", "admin"):  # leads hand work across teams: they read anyone by id, as before
        assert (
            Api(app_client, tenant.tokens[role]).get(f"/api/v1/agents/{tenant.outsider.id}").status_code
            == 200
        )


def test_leads_see_their_team_and_admins_everyone(app_client, tenant):
    lead_view = {
        a["id"] for a in Api(app_client, tenant.tokens["lead"]).get("/api/v1/agents").json()["items"]
    }
    assert lead_view == {str(tenant.lead.id), str(tenant.agent.id)}
    admin_view = {
        a["id"] for a in Api(app_client, tenant.tokens["admin"]).get("/api/v1/agents").json()["items"]
    }
    assert admin_view == {str(a.id) for a in (tenant.admin, tenant.lead, tenant.agent, tenant.outsider)}


def test_presence_own_and_by_a_lead(app_client, tenant, clock):
    agent = Api(app_client, tenant.tokens["agent"])
    clock.advance(timedelta(minutes=3))
    me = agent.put(f"/api/v1/agents/{tenant.agent.id}/presence", json={"presence": "available"}).json()
    assert me["presence"] == "available" and me["presence_changed_at"] == clock.now().isoformat().replace(
        "+00:00", "Z"
    )
    assert (
        agent.put(f"/api/v1/agents/{tenant.lead.id}/presence", json={"presence": "away"}).status_code == 403
    )
    lead = Api(app_client, tenant.tokens["lead"])
    assert (
        lead.put(f"/api/v1/agents/{tenant.agent.id}/presence", json={"presence": "offline"}).json()[
            "presence"
        ]
        == "offline"
    )
    assert (
        agent.put(f"/api/v1/agents/{tenant.agent.id}/presence", json={"presence": "asleep"}).status_code
        == 422
    )


def test_tokens_are_listed_without_secrets(api):
    created = api.post("/api/v1/tokens", json={"name": "script"}).json()
    assert created["token"].startswith("att_") and created["prefix"] == created["token"][:12]
    listed = api.get("/api/v1/tokens").json()["items"]
    assert created["id"] in {t["id"] for t in listed}
    assert all("token" not in t for t in listed)


def _csrf(client, path="/signin"):
    return page_csrf(client, path)


def test_web_sign_in_sets_a_hardened_cookie_and_opens_the_case_page(app_client, tenant):
    csrf = _csrf(app_client)
    wrong = app_client.post("/signin", data={"email": tenant.agent.email, "password": "nope", "csrf": csrf})
    assert wrong.status_code == 401 and "attent_session" not in wrong.cookies
    response = app_client.post(
        "/signin",
        data={
            "email": tenant.agent.email.upper(),
            "password": "correct horse battery",
            "csrf": csrf,
            "next": f"/cases/{tenant.case.id}",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303 and response.headers["location"] == f"/cases/{tenant.case.id}"
    cookie = response.headers["set-cookie"]
    assert "attent_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    page = app_client.get(f"/cases/{tenant.case.id}")
    assert page.status_code == 200 and "Zending nooit aangekomen" in page.text
    assert "script-src 'self'" in page.headers["content-security-policy"]


def test_sign_in_refuses_forms_without_csrf_and_foreign_redirects(app_client, tenant):
    refused = app_client.post(
        "/signin", data={"email": tenant.agent.email, "password": "correct horse battery", "csrf": "x"}
    )
    assert refused.status_code == 403
    csrf = _csrf(app_client)
    response = app_client.post(
        "/signin",
        data={
            "email": tenant.agent.email,
            "password": "correct horse battery",
            "csrf": csrf,
            "next": "//evil.example",
        },
        follow_redirects=False,
    )
    assert response.headers["location"] == "/"


def test_pages_redirect_to_sign_in_and_sign_out_ends_the_session(app_client, tenant):
    assert app_client.get("/cases", follow_redirects=False).headers["location"] == "/signin?next=/cases"
    csrf = _csrf(app_client)
    app_client.post(
        "/signin", data={"email": tenant.agent.email, "password": "correct horse battery", "csrf": csrf}
    )
    session = app_client.cookies.get("attent_session")
    assert app_client.get("/cases").status_code == 200
    app_client.post("/signout", data={"csrf": _csrf(app_client)})
    app_client.cookies.set("attent_session", session)  # a stolen copy of the cookie no longer works
    assert app_client.get("/cases", follow_redirects=False).status_code == 303


def test_customer_text_is_escaped_on_pages(app_client, tenant, api):
    contact = api.post(f"/api/v1/cases/{tenant.case.id}/contacts", json={"channel": "chat"}).json()
    api.post(
        f"/api/v1/contacts/{contact['id']}/messages",
        json={"speaker": "customer", "text": "<script>alert('x')</script>"},
    )
    csrf = _csrf(app_client)
    app_client.post(
        "/signin", data={"email": tenant.agent.email, "password": "correct horse battery", "csrf": csrf}
    )
    page = app_client.get(f"/cases/{tenant.case.id}").text
    assert "<script>alert" not in page and "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page


def _sign_in(client, csrf, email, password):
    data = {"email": email, "password": password, "csrf": csrf}
    return client.post("/signin", data=data, follow_redirects=False)


def test_sign_in_locks_an_email_after_five_failures_until_the_window_passes(app_client, tenant, clock):
    csrf = _csrf(app_client)
    for _ in range(5):
        assert _sign_in(app_client, csrf, tenant.agent.email, "guess").status_code == 401
    locked = _sign_in(app_client, csrf, tenant.agent.email.upper(), "correct horse battery")
    assert locked.status_code == 429 and "attent_session" not in locked.cookies
    assert "Te veel mislukte aanmeldpogingen. Probeer het over 15 min. opnieuw." in locked.text
    clock.advance(timedelta(minutes=14))
    assert "over 1 min." in _sign_in(app_client, csrf, tenant.agent.email, "correct horse battery").text
    clock.advance(timedelta(minutes=1))
    assert _sign_in(app_client, csrf, tenant.agent.email, "correct horse battery").status_code == 303
    csrf = _csrf(app_client)  # signed in now: the page's forms carry the session's token
    # A success clears the e-mail's count: four more failures do not lock it again.
    for _ in range(4):
        assert _sign_in(app_client, csrf, tenant.agent.email, "guess").status_code == 401
    assert _sign_in(app_client, csrf, tenant.agent.email, "correct horse battery").status_code == 303


def test_sign_in_locks_an_address_that_guesses_across_many_emails(settings, database, clock, tenant):
    strict = settings.model_copy(update={"signin_failures_per_address": 3})
    with TestClient(create_app(strict, database=database, clock=clock, worker=False)) as client:
        csrf = _csrf(client)
        for n in range(3):
            assert _sign_in(client, csrf, f"nobody{n}@example.com", "guess").status_code == 401
        assert _sign_in(client, csrf, tenant.agent.email, "correct horse battery").status_code == 429


def _browser_signed_in(app, email, password="correct horse battery"):
    browser = TestClient(app, raise_server_exceptions=False)
    signed_in = browser.post(
        "/signin",
        data={"email": email, "password": password, "csrf": page_csrf(browser)},
        follow_redirects=False,
    )
    assert signed_in.status_code == 303, signed_in.text
    return browser


def test_changing_your_password_takes_the_current_one(app_client, tenant):
    me = f"/api/v1/agents/{tenant.agent.id}"
    with _browser_signed_in(app_client.app, tenant.agent.email) as browser:
        csrf = {"X-CSRF-Token": page_csrf(browser)}
        missing = browser.patch(me, json={"password": "a new long password"}, headers=csrf)
        assert missing.status_code == 422 and missing.json()["code"] == "current_password_required"
        assert missing.json()["errors"][0]["pointer"] == "/current_password"
        wrong = browser.patch(
            me, json={"password": "a new long password", "current_password": "guess"}, headers=csrf
        )
        assert wrong.status_code == 422 and wrong.json()["code"] == "current_password_wrong"
    with _browser_signed_in(app_client.app, tenant.agent.email):
        pass  # the old password still works: nothing was changed


def test_a_new_password_ends_the_other_sessions_and_keeps_this_one(app_client, tenant, api):
    with (
        _browser_signed_in(app_client.app, tenant.agent.email) as here,
        _browser_signed_in(app_client.app, tenant.agent.email) as elsewhere,
    ):
        changed = here.patch(
            f"/api/v1/agents/{tenant.agent.id}",
            json={"password": "a new long password", "current_password": "correct horse battery"},
            headers={"X-CSRF-Token": page_csrf(here)},
        )
        assert changed.status_code == 200, changed.text
        assert here.get("/cases", follow_redirects=False).status_code == 200
        assert elsewhere.get("/cases", follow_redirects=False).headers["location"] == "/signin?next=/cases"
    assert api.get("/api/v1/agents/me").status_code == 200  # named API tokens are revoked one by one
    with _browser_signed_in(app_client.app, tenant.agent.email, "a new long password"):
        pass


def test_an_admin_resetting_a_password_ends_all_that_agents_sessions(app_client, tenant, admin_api):
    with _browser_signed_in(app_client.app, tenant.agent.email) as browser:
        reset = admin_api.patch(f"/api/v1/agents/{tenant.agent.id}", json={"password": "set by the admin"})
        assert reset.status_code == 200, reset.text
        assert browser.get("/cases", follow_redirects=False).status_code == 303
