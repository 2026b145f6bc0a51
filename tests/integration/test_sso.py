"""Single sign-on against a real OpenID Connect provider on a loopback port (tests/oidc_provider.py):
the authorization code flow with PKCE, state and nonce; every check on the id_token refusing what it
must; matching by verified e-mail of an allowed domain; just-in-time agents; and an organisation that
switches password sign-in off, except for its break-glass admin."""

from html import unescape
from urllib.parse import urlsplit

import pytest
import requests
from sqlalchemy import select

from attent.agents.models import Agent, Role
from attent.agents.service import team_ids_of
from attent.agents.sso.models import OidcProvider
from attent.core.security import hash_password
from attent.mail import encrypt_password
from tests.conftest import free_port, page_csrf
from tests.oidc_provider import CLIENT_ID, CLIENT_SECRET, Provider

PASSWORD = "correct horse battery"
CALLBACK = "http://testserver/signin/sso/callback"  # registered at the provider, as at Entra ID


@pytest.fixture
def provider(clock):
    with Provider(now=lambda: clock.now().timestamp(), redirect_uris=[CALLBACK]) as running:
        yield running


@pytest.fixture
def sso(admin_api, provider, tenant):
    """The tenant's admin sets the provider up over the API; the tenant's agent is who signs in there."""
    provider.user = {"sub": "u-1", "email": tenant.agent.email, "email_verified": True, "name": "Agent"}
    answer = admin_api.put("/api/v1/sso", json=_settings(provider))
    assert answer.status_code == 200, answer.text
    return answer.json()


def _settings(provider, **changes):
    return {
        "label": "Kopje IdP", "issuer": provider.issuer, "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET, "allowed_domains": ["kopje-koffie.example"], **changes,
    }  # fmt: skip


def _leave(client, next_="/cases"):
    start = client.get(f"/signin/sso?organisation=kopje-koffie&next={next_}", follow_redirects=False)
    assert start.status_code == 303, start.text
    at_provider = requests.get(start.headers["location"], allow_redirects=False, timeout=5)
    assert at_provider.status_code == 302, at_provider.text
    back = urlsplit(at_provider.headers["location"])
    assert back.path == "/signin/sso/callback"
    return back


def _sign_in(client):
    back = _leave(client)
    return client.get(f"{back.path}?{back.query}", follow_redirects=False)


def _refused(answer, words):
    assert answer.status_code == 401, answer.text
    assert words in unescape(answer.text), unescape(answer.text)
    assert "attent_session" not in answer.cookies


def test_signing_in_through_the_provider_opens_a_session(app_client, sso, provider, tenant, db):
    page = app_client.get("/signin")
    assert "Inloggen met Kopje IdP" in page.text and "/signin/sso?organisation=kopje-koffie" in page.text
    answer = _sign_in(app_client)
    assert answer.status_code == 303 and answer.headers["location"] == "/cases"
    assert app_client.get("/me/security").status_code == 200  # signed in as the agent
    [exchange] = provider.token_requests
    assert exchange["grant_type"] == "authorization_code" and len(exchange["code_verifier"]) >= 43
    stored = db.scalar(
        select(OidcProvider.client_secret).where(OidcProvider.organisation_id == tenant.organisation_id)
    )
    assert stored and CLIENT_SECRET not in stored  # sealed
    assert sso["client_secret_set"] is True and "client_secret" not in sso
    assert sso["redirect_uri"] == "http://testserver/signin/sso/callback"


def test_a_callback_with_another_state_or_from_another_browser_is_refused(app_client, sso, provider):
    back = _leave(app_client)
    forged = back.query.replace("state=", "state=x")
    _refused(app_client.get(f"{back.path}?{forged}"), "niet in deze browser gestart")
    back = _leave(app_client)
    app_client.cookies.delete("attent_sso", path="/signin/sso")
    app_client.cookies.clear()
    _refused(app_client.get(f"{back.path}?{back.query}"), "niet in deze browser gestart")


def test_a_refusal_at_the_provider_and_a_deactivated_agent_sign_nobody_in(app_client, admin_api, sso, tenant):
    back = _leave(app_client)
    state = back.query.partition("state=")[2]
    said = app_client.get(f"{back.path}?error=access_denied&error_description=User+cancelled&state={state}")
    _refused(said, "De identiteitsprovider weigerde de aanmelding: User cancelled.")
    assert admin_api.post(f"/api/v1/agents/{tenant.agent.id}/deactivate").status_code == 200
    _refused(_sign_in(app_client), f"Het account van {tenant.agent.email} is gedeactiveerd.")


@pytest.mark.parametrize(
    ("tamper", "reason"),
    [
        ({"nonce": "not-the-nonce"}, "nonce"),
        ({"aud": "another-client"}, "ontvanger"),
        ({"iss": "https://impostor.example"}, "uitgever"),
        ({"exp": 1_000_000_000, "iat": 999_999_000}, "verlopen"),
    ],
)
def test_an_id_token_that_fails_a_check_signs_nobody_in(app_client, sso, provider, tamper, reason):
    provider.tamper = tamper
    _refused(_sign_in(app_client), f"id_token van de identiteitsprovider is niet geldig ({reason})")


def test_an_id_token_signed_with_another_key_is_refused(app_client, sso, provider):
    provider.sign_with_other_key = True
    _refused(_sign_in(app_client), "niet geldig (handtekening)")


def test_an_unverified_address_is_refused(app_client, sso, provider, tenant):
    provider.user["email_verified"] = False
    _refused(_sign_in(app_client), f"heeft het e-mailadres {tenant.agent.email} niet geverifieerd")


def test_an_address_outside_the_allowed_domains_is_refused_in_english_too(app_client, sso, provider):
    provider.user["email"] = "agent@elsewhere.example"
    app_client.cookies.set("attent_lang", "en")
    _refused(
        _sign_in(app_client), "agent@elsewhere.example is not in a domain this organisation signs in with"
    )


def test_just_in_time_creation_off_refuses_and_on_creates_the_agent(
    app_client, admin_api, sso, provider, tenant, db
):
    provider.user = {
        "sub": "u-9",
        "email": "nieuw@kopje-koffie.example",
        "email_verified": True,
        "name": "Nieuw",
    }
    _refused(_sign_in(app_client), "Er is geen medewerker met e-mailadres nieuw@kopje-koffie.example")
    on = _settings(
        provider, create_agents=True, default_role="lead", default_team_id=str(tenant.other_team_id)
    )
    del on["client_secret"]  # the stored one stays
    assert admin_api.put("/api/v1/sso", json=on).status_code == 200
    answer = _sign_in(app_client)
    assert answer.status_code == 303, answer.text
    made = db.scalar(select(Agent).where(Agent.email == "nieuw@kopje-koffie.example"))
    assert made is not None and made.name == "Nieuw" and made.role is Role.LEAD
    assert team_ids_of(db=db, agent=made) == [tenant.other_team_id]


def _password_sign_in(client, email, password=PASSWORD):
    csrf = page_csrf(client)
    return client.post(
        "/signin",
        data={"email": email, "password": password, "csrf": csrf, "next": "/"},
        follow_redirects=False,
    )


def test_required_sso_refuses_passwords_except_the_break_glass_admin(
    app_client, admin_api, provider, tenant, db
):
    provider.user = {"sub": "u-1", "email": tenant.agent.email, "email_verified": True}
    no_glass = admin_api.put("/api/v1/sso", json=_settings(provider, required=True))
    assert no_glass.status_code == 422 and "break_glass_agent_id" in no_glass.text
    glass = _settings(provider, required=True, break_glass_agent_id=str(tenant.admin.id))
    assert admin_api.put("/api/v1/sso", json=glass).status_code == 200
    admin = db.get(Agent, (tenant.organisation_id, tenant.admin.id))
    admin.password_hash = hash_password(PASSWORD)
    db.commit()

    wrong = _password_sign_in(app_client, tenant.agent.email, "not the password")
    assert wrong.status_code == 401 and "wachtwoord klopt niet" in unescape(
        wrong.text
    )  # tells nobody about SSO
    refused = _password_sign_in(app_client, tenant.agent.email)
    assert refused.status_code == 403 and "attent_session" not in refused.cookies
    assert "Je organisatie logt in met Kopje IdP, niet met een wachtwoord." in unescape(refused.text)
    assert _sign_in(app_client).status_code == 303  # the provider still works for them
    app_client.cookies.clear()
    assert _password_sign_in(app_client, tenant.admin.email).status_code == 303  # break glass


def test_only_admins_see_or_change_the_provider(api, admin_api, sso, provider):
    assert api.get("/api/v1/sso").status_code == 403
    assert api.put("/api/v1/sso", json=_settings(provider)).status_code == 403
    bad = admin_api.put(
        "/api/v1/sso", json=_settings(provider, issuer="http://idp.example", allowed_domains=["x"])
    )
    assert bad.status_code == 422 and "issuer" in bad.text and "allowed_domains" in bad.text
    assert admin_api.delete("/api/v1/sso").status_code == 204
    assert admin_api.get("/api/v1/sso").status_code == 404


def test_the_admin_sets_the_provider_up_in_the_browser(app_client, admin_api, provider, tenant, db):
    admin = db.get(Agent, (tenant.organisation_id, tenant.admin.id))
    admin.password_hash = hash_password(PASSWORD)
    db.commit()
    assert _password_sign_in(app_client, tenant.admin.email).status_code == 303
    page = app_client.get("/admin/sso")
    assert page.status_code == 200 and "http://testserver/signin/sso/callback" in page.text
    csrf = page_csrf(app_client, "/admin/sso")
    form = {
        "csrf": csrf, "label": "Entra", "issuer": provider.issuer, "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET, "allowed_domains": "kopje-koffie.example, Koffie.example",
        "enabled": "true", "default_role": "agent",
    }  # fmt: skip
    saved = app_client.post("/admin/sso", data=form, follow_redirects=False)
    assert saved.status_code == 303, saved.text
    read = admin_api.get("/api/v1/sso").json()
    assert read["label"] == "Entra" and read["allowed_domains"] == ["koffie.example", "kopje-koffie.example"]
    form.update(allowed_domains="not a domain", client_secret="")
    again = app_client.post("/admin/sso", data=form)
    assert again.status_code == 422 and "is geen domeinnaam" in unescape(again.text)


def test_a_provider_that_names_another_issuer_or_cannot_be_reached_is_refused(
    app_client, admin_api, sso, provider
):
    assert (
        admin_api.put("/api/v1/sso", json=_settings(provider, issuer=provider.issuer + "/")).status_code
        == 200
    )
    start = app_client.get("/signin/sso?organisation=kopje-koffie", follow_redirects=False)
    _refused(start, f"De identiteitsprovider noemt zich {provider.issuer}, niet {provider.issuer}/")
    closed = f"http://127.0.0.1:{free_port()}"
    assert admin_api.put("/api/v1/sso", json=_settings(provider, issuer=closed)).status_code == 200
    start = app_client.get("/signin/sso?organisation=kopje-koffie", follow_redirects=False)
    _refused(start, "De identiteitsprovider was niet bereikbaar")


def test_a_client_secret_sealed_under_another_key_is_a_refusal_not_an_error(app_client, sso, tenant, db):
    stored = db.scalar(select(OidcProvider).where(OidcProvider.organisation_id == tenant.organisation_id))
    stored.client_secret = encrypt_password("x", secret_key="another secret key", context="whatever")
    db.commit()
    _refused(_sign_in(app_client), "Het opgeslagen clientgeheim kan niet worden gelezen")


def test_a_shared_deployment_finds_the_provider_by_the_address(
    app_client, sso, provider, tenant, other_tenant
):
    page = app_client.get("/signin")
    assert "Kopje IdP" not in page.text and 'action="/signin/sso"' in page.text  # no organisation named
    found = app_client.get(f"/signin/sso?email={tenant.agent.email}&next=/cases", follow_redirects=False)
    link = "/signin/sso?organisation=kopje-koffie&amp;next=/cases&amp;email=agent%40kopje-koffie.example"
    assert found.status_code == 200 and "Inloggen met Kopje IdP" in found.text and link in found.text
    start = app_client.get(unescape(link), follow_redirects=False)
    assert start.status_code == 303 and "login_hint=agent%40kopje-koffie.example" in start.headers["location"]
    back = urlsplit(
        requests.get(start.headers["location"], allow_redirects=False, timeout=5).headers["location"]
    )
    signed = app_client.get(f"{back.path}?{back.query}", follow_redirects=False)
    assert signed.status_code == 303 and signed.headers["location"] == "/cases"
    app_client.cookies.clear()
    unknown = app_client.get(f"/signin/sso?email={other_tenant.agent.email}", follow_redirects=False)
    _refused(unknown, "Voor villa-oleander.example logt hier niemand in met single sign-on.")
