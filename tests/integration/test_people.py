"""People in the browser and by API: invitations and resets by real e-mail, deactivation that hands the
work over, unlocking, one's own sessions, and scoped, expiring API tokens."""

import re
import uuid
from datetime import timedelta
from html import unescape

import pytest

from attent.core.queue import run_due_jobs
from attent.core.settings import get_settings
from attent.promises.models import Promise, PromiseState
from tests.conftest import Api, page_csrf

LINK = re.compile(r"http://testserver/password/(att_[A-Za-z0-9_-]+)")


@pytest.fixture
def smtp(mailbox, monkeypatch):
    """The worker's settings send agent e-mail to the test's real SMTP server."""
    monkeypatch.setenv("ATTENT_SMTP_HOST", mailbox.host)
    monkeypatch.setenv("ATTENT_SMTP_PORT", str(mailbox.port))
    get_settings.cache_clear()
    yield mailbox
    get_settings.cache_clear()


def _deliver(database, clock, smtp, count):
    assert run_due_jobs(database=database, worker_id="test", now=clock.now()) == count
    return smtp.messages


def _link_in(message):
    found = LINK.search(message.get_content())
    assert found, message.get_content()
    return found.group(1)


def _sign_in(client, email, password):
    csrf = page_csrf(client)
    return client.post(
        "/signin", data={"email": email, "password": password, "csrf": csrf}, follow_redirects=False
    )


def test_an_invited_agent_sets_a_password_once_and_signs_in(
    admin_api, app_client, database, clock, smtp, tenant
):
    made = admin_api.post(
        "/api/v1/agents/invite",
        json={"email": "Nieuw@Kopje.example", "name": "Noor Nieuw", "team_ids": [str(tenant.team_id)]},
    )
    assert made.status_code == 201, made.text
    assert made.json()["team_ids"] == [str(tenant.team_id)]
    [mail] = _deliver(database, clock, smtp, 1)
    assert mail["To"] == "nieuw@kopje.example" and "Attent" in mail["Subject"]
    assert "Admin kopje-koffie" in mail.get_content()  # who invited them, in Dutch by default
    token = _link_in(mail)

    form = app_client.get(f"/password/{token}")
    assert form.status_code == 200 and "Noor Nieuw" in form.text
    csrf = page_csrf(app_client, f"/password/{token}")
    short = app_client.post(f"/password/{token}", data={"password": "kort", "repeat": "kort", "csrf": csrf})
    assert short.status_code == 422 and "10" in unescape(short.text)
    saved = app_client.post(
        f"/password/{token}",
        data={"password": "een lang wachtwoord", "repeat": "een lang wachtwoord", "csrf": csrf},
        follow_redirects=False,
    )
    assert saved.status_code == 303 and saved.headers["location"] == "/signin?password=set"
    again = app_client.post(
        f"/password/{token}",
        data={"password": "nog een wachtwoord", "repeat": "nog een wachtwoord", "csrf": csrf},
    )
    assert again.status_code == 410  # single use
    assert _sign_in(app_client, "nieuw@kopje.example", "een lang wachtwoord").status_code == 303
    assert _sign_in(app_client, "nieuw@kopje.example", "nog een wachtwoord").status_code == 401


def test_the_queue_forgets_the_link_once_it_is_sent(admin_api, database, clock, smtp, db):
    from attent.core.queue import Job

    admin_api.post("/api/v1/agents/invite", json={"email": "x@kopje.example", "name": "X"})
    _deliver(database, clock, smtp, 1)
    [job] = db.query(Job).filter(Job.kind == "agents.mail").all()
    assert "att_" not in str(job.payload) and job.payload["to"] == "x@kopje.example"


def test_a_reset_answers_the_same_for_unknown_addresses_and_expires(
    app_client, database, clock, smtp, tenant
):
    csrf = page_csrf(app_client, "/forgot")
    page_unknown = app_client.post("/forgot", data={"email": "niemand@nergens.example", "csrf": csrf})
    page_known = app_client.post("/forgot", data={"email": tenant.agent.email.upper(), "csrf": csrf})
    page_again = app_client.post("/forgot", data={"email": tenant.agent.email, "csrf": csrf})
    assert page_again.status_code == 200
    assert page_unknown.status_code == page_known.status_code == 200
    said = "Als dit adres bij een medewerker hoort"
    assert said in unescape(page_known.text) and said in unescape(page_unknown.text)
    mails = _deliver(database, clock, smtp, 2)
    assert [m["To"] for m in mails] == [tenant.agent.email] * 2  # nothing went to the unknown address
    first, second = _link_in(mails[0]), _link_in(mails[1])
    assert app_client.get(f"/password/{first}").status_code == 410  # a newer link ends the older one
    clock.advance(timedelta(minutes=61))
    late = app_client.get(f"/password/{second}")
    assert late.status_code == 410 and "verlopen" in late.text


def test_deactivating_hands_promises_and_cases_to_the_team_and_ends_access(
    admin_api, api, tenant, clock, db, app_client
):
    case_id = str(tenant.case.id)
    api.patch(f"/api/v1/cases/{case_id}", json={"owner_id": str(tenant.agent.id)})
    made = api.post(
        f"/api/v1/cases/{case_id}/promises",
        json={"kind": "callback", "words": "Ik bel u terug", "due_at": "2026-11-23T15:00:00Z"},
    )
    assert made.status_code == 201, made.text
    assert _sign_in(app_client, tenant.agent.email, "correct horse battery").status_code == 303
    gone = admin_api.post(f"/api/v1/agents/{tenant.agent.id}/deactivate")
    assert gone.status_code == 200 and gone.json()["active"] is False
    assert admin_api.get(f"/api/v1/cases/{case_id}").json()["owner_id"] is None
    promise = db.get(Promise, (tenant.organisation_id, uuid.UUID(made.json()["id"])))
    assert promise.state is PromiseState.OPEN and promise.offered_at is not None  # offered to the team
    assert api.get("/api/v1/agents/me").status_code == 401  # the token is revoked
    assert app_client.get("/", follow_redirects=False).status_code == 303  # the session too
    assert _sign_in(app_client, tenant.agent.email, "correct horse battery").status_code == 401
    assert admin_api.post(f"/api/v1/agents/{tenant.agent.id}/reactivate").json()["active"] is True
    assert _sign_in(app_client, tenant.agent.email, "correct horse battery").status_code == 303
    assert api.get("/api/v1/agents/me").status_code == 401  # old tokens stay revoked
    assert admin_api.post(f"/api/v1/agents/{tenant.admin.id}/deactivate").status_code == 409


def test_an_admin_unlocks_an_agent_locked_by_failed_sign_ins(admin_api, app_client, tenant):
    for _ in range(5):
        assert _sign_in(app_client, tenant.agent.email, "wrong password!").status_code == 401
    assert _sign_in(app_client, tenant.agent.email, "correct horse battery").status_code == 429
    people = Api(app_client, tenant.tokens["admin"]).get("/admin/people")
    assert "Geblokkeerd" in people.text
    assert admin_api.post(f"/api/v1/agents/{tenant.agent.id}/unlock").status_code == 200
    assert _sign_in(app_client, tenant.agent.email, "correct horse battery").status_code == 303


def test_an_agent_sees_and_ends_their_own_sessions(app_client, tenant, api):
    assert _sign_in(app_client, tenant.agent.email, "correct horse battery").status_code == 303
    other = api.get("/api/v1/me/sessions").json()["items"]
    assert len(other) == 1 and other[0]["current"] is False  # the bearer token is no session
    page = app_client.get("/me/security")
    assert page.status_code == 200 and "deze browser" in page.text
    ended = api.delete(f"/api/v1/me/sessions/{other[0]['id']}")
    assert ended.status_code == 204
    assert app_client.get("/me/security", follow_redirects=False).status_code in (303, 401)
    outsider = Api(app_client, tenant.tokens["outsider"])
    assert outsider.get("/api/v1/me/sessions").json()["items"] == []


def test_tokens_are_scoped_expire_and_belong_to_the_integration(admin_api, app_client, tenant, clock):
    read = admin_api.post(
        "/api/v1/tokens",
        json={"name": "Dashboard", "scope": "read", "agent_id": str(tenant.outsider.id),
              "expires_at": "2026-11-30T00:00:00Z"},
    )  # fmt: skip
    assert read.status_code == 201, read.text
    assert read.json()["agent_id"] == str(tenant.outsider.id) and read.json()["scope"] == "read"
    reader = Api(app_client, read.json()["token"])
    assert reader.get("/api/v1/agents/me").json()["id"] == str(tenant.outsider.id)
    refused = reader.post("/api/v1/teams", json={"name": "Nee"})
    assert refused.status_code == 403 and refused.json()["code"] == "token_read_only"
    clock.advance(timedelta(days=8))
    assert reader.get("/api/v1/agents/me").status_code == 401
    stranger = Api(app_client, tenant.tokens["agent"]).post(
        "/api/v1/tokens", json={"name": "x", "agent_id": str(tenant.admin.id)}
    )
    assert stranger.status_code == 403  # only admins make tokens for someone else
    everyone = admin_api.get("/api/v1/tokens?all=true").json()["items"]
    assert {t["name"] for t in everyone} >= {"Dashboard", "test"}


def test_the_tokens_page_shows_a_new_token_once_and_revokes_it(app_client, tenant):
    admin = Api(app_client, tenant.tokens["admin"])
    assert admin.get("/admin/tokens").status_code == 200
    csrf = app_client.cookies.get("attent_csrf")
    form = {
        "csrf": csrf,
        "name": "Telefonie",
        "agent_id": str(tenant.lead.id),
        "scope": "all",
        "expires_on": "",
    }
    made = admin.post("/admin/tokens", data=form)
    assert made.status_code == 200 and "alleen nu getoond" in unescape(made.text)
    secret = re.search(r"<code data-token>(att_[^<]+)</code>", made.text).group(1)
    assert Api(app_client, secret).get("/api/v1/agents/me").json()["id"] == str(tenant.lead.id)
    listing = admin.get("/admin/tokens").text
    assert secret not in listing and "Telefonie" in listing
    token_id = next(
        t["id"] for t in admin.get("/api/v1/tokens?all=true").json()["items"] if t["name"] == "Telefonie"
    )
    revoked = admin.post(f"/admin/tokens/{token_id}/revoke", data={"csrf": csrf}, follow_redirects=False)
    assert revoked.status_code == 303
    assert Api(app_client, secret).get("/api/v1/agents/me").status_code == 401
    nameless = admin.post("/admin/tokens", data={**form, "name": " "})
    assert nameless.status_code == 422 and "Geef het token een naam van hoogstens 120 tekens." in unescape(
        nameless.text
    )


def test_the_people_page_invites_changes_roles_and_deactivates(app_client, tenant, database, clock, smtp):
    admin = Api(app_client, tenant.tokens["admin"])
    page = admin.get("/admin/people")
    assert page.status_code == 200 and tenant.agent.email in page.text and "teamleider" in page.text
    csrf = app_client.cookies.get("attent_csrf")
    bad = admin.post("/admin/people/invite", data={"csrf": csrf, "email": "geen-adres", "name": "Piet"})
    assert bad.status_code == 422 and 'value="Piet"' in bad.text
    assert "Vul een geldig e-mailadres in." in unescape(bad.text)
    invited = admin.post(
        "/admin/people/invite",
        data={"csrf": csrf, "email": "piet@kopje.example", "name": "Piet", "role": "lead", "language": "en",
              "team_ids": str(tenant.team_id)},
        follow_redirects=False,
    )  # fmt: skip
    assert invited.status_code == 303
    [mail] = _deliver(database, clock, smtp, 1)
    assert mail["Subject"] == "You are invited to Attent"  # in the invitee's language
    piet = next(a for a in admin.get("/api/v1/agents").json()["items"] if a["email"] == "piet@kopje.example")
    assert piet["role"] == "lead" and piet["team_ids"] == [str(tenant.team_id)]
    saved = admin.post(
        f"/admin/people/{piet['id']}", data={"csrf": csrf, "role": "agent"}, follow_redirects=False
    )
    assert saved.status_code == 303
    assert admin.get(f"/api/v1/agents/{piet['id']}").json()["role"] == "agent"
    gone = admin.post(f"/admin/people/{piet['id']}/deactivate", data={"csrf": csrf}, follow_redirects=False)
    assert gone.status_code == 303
    assert "Gedeactiveerd" in admin.get(f"/admin/people/{piet['id']}").text
    agent_view = Api(app_client, tenant.tokens["agent"]).get("/admin/people")
    assert agent_view.status_code == 403


def test_an_admin_adds_a_team_in_the_browser(app_client, tenant):
    admin = Api(app_client, tenant.tokens["admin"])
    assert "Team toevoegen" in admin.get("/admin/teams").text
    csrf = app_client.cookies.get("attent_csrf")
    made = admin.post("/admin/teams/new", data={"csrf": csrf, "name": "Nachtdienst"}, follow_redirects=False)
    assert made.status_code == 303
    assert "Nachtdienst" in [t["name"] for t in admin.get("/api/v1/teams").json()["items"]]
    twice = admin.post("/admin/teams/new", data={"csrf": csrf, "name": "Nachtdienst"})
    assert twice.status_code == 409 and "Nachtdienst" in unescape(twice.text)
