"""Sign in through the local OpenID Connect provider in a real browser: the admin sets the provider up
in Settings → Single sign-on, an agent gives their work address, passes the provider and lands in
their work; with single sign-on required, their password is refused."""

import re
import time
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, expect

from attent.demo import PASSWORD
from tests.browser.conftest import DEMO_AGENT, VIEWPORT, Server
from tests.oidc_provider import CLIENT_ID, CLIENT_SECRET, Provider

ADMIN = "sanne@kopjekoffie.example"


@pytest.fixture(scope="module")
def provider(server: Server) -> Iterator[Provider]:
    with Provider(now=time.time, redirect_uris=[f"{server.url}/signin/sso/callback"]) as running:
        running.user = {"sub": "fatima-1", "email": DEMO_AGENT, "email_verified": True, "name": "Fatima"}
        yield running


def test_an_agent_signs_in_through_the_provider(browser: Browser, server: Server, provider: Provider) -> None:
    context = browser.new_context(base_url=server.url, viewport=VIEWPORT)
    context.set_default_timeout(10_000)
    admin = context.new_page()
    admin.goto("/signin")
    admin.get_by_label("E-mailadres").fill(ADMIN)
    admin.get_by_label("Wachtwoord", exact=True).fill(PASSWORD)
    admin.get_by_role("button", name="Inloggen").click()
    admin.goto("/admin/sso")
    expect(admin.locator("[data-redirect-uri]")).to_have_text(f"{server.url}/signin/sso/callback")
    admin.get_by_label("Naam op de inlogknop").fill("Kopje IdP")
    admin.get_by_label("Issuer-URL").fill(provider.issuer)
    admin.get_by_label("Client-ID").fill(CLIENT_ID)
    admin.get_by_label("Clientgeheim").fill(CLIENT_SECRET)
    admin.get_by_label("Toegestane e-maildomeinen").fill("kopjekoffie.example")
    admin.get_by_label("Medewerkers loggen alleen via de provider in").check()
    admin.get_by_label("Noodbeheerder").select_option(label=f"Sanne de Vries ({ADMIN})")
    admin.get_by_role("button", name="Opslaan").click()
    expect(admin.get_by_role("status")).to_have_text("Opgeslagen.")
    context.close()

    agent = browser.new_context(base_url=server.url, viewport=VIEWPORT).new_page()
    agent.goto("/signin")
    agent.get_by_label("E-mailadres").fill(DEMO_AGENT)
    agent.get_by_label("Wachtwoord", exact=True).fill(PASSWORD)
    agent.get_by_role("button", name="Inloggen", exact=True).click()
    expect(agent.get_by_role("alert")).to_have_text(
        "Je organisatie logt in met Kopje IdP, niet met een wachtwoord."
    )
    # The demo serves two organisations: the page names no provider, the address finds it.
    expect(agent.get_by_role("link", name="Inloggen met Kopje IdP")).to_have_count(0)
    agent.get_by_label("Zakelijk adres, voor single sign-on").fill(DEMO_AGENT)
    agent.get_by_role("button", name="Inloggen met single sign-on").click()
    agent.get_by_role("link", name="Inloggen met Kopje IdP").click()
    agent.wait_for_url(f"{server.url}/")
    expect(agent.get_by_role("button", name=re.compile("Uitloggen"))).to_be_visible()
