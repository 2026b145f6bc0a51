"""An agent's day in the workspace, in a real browser against the real server and the demo data."""

import os
import re
import tempfile
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from attent.demo import PASSWORD

DEMO_AGENT = "fatima@kopjekoffie.example"
SUBJECT = "Zending nooit aangekomen (bestelling 88213)"
SCREENSHOT = Path(os.environ.get("ATTENT_SCREENSHOT_DIR", tempfile.gettempdir())) / "case-page.png"
PAYLOAD = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">'


def sign_in(page: Page, email: str = DEMO_AGENT, password: str = PASSWORD) -> None:
    """Fill in the sign-in form the way a person does."""
    page.goto("/signin")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(password)
    page.get_by_role("button", name="Inloggen").click()


@pytest.mark.browser
def test_agent_signs_in_and_reads_the_handoff_brief_before_the_timeline(page: Page):
    sign_in(page)
    expect(page).to_have_url(re.compile(r"/cases$"))
    expect(page.get_by_role("heading", name="Zaken")).to_be_visible()

    page.get_by_role("link", name=SUBJECT).click()

    expect(page.get_by_role("heading", level=1)).to_contain_text(SUBJECT)
    brief = page.locator("section.brief")
    expect(brief.get_by_role("heading", name="Overdracht")).to_be_visible()
    expect(brief.locator("dd.need")).to_contain_text("Mijn bestelling 88213 is nooit aangekomen")
    # the dropped call became a call-back promise; Fatima is available, so it stays hers
    expect(brief.locator("dd.next")).to_contain_text("Bel de klant terug vóór")
    expect(brief.locator("dd.next")).to_contain_text("(Fatima El Amrani)")
    timeline = page.locator("ol.timeline")
    expect(timeline.locator("li").first).to_be_visible()
    expect(timeline).to_contain_text("Zaak geopend")
    # The brief comes first on the page and is on screen without scrolling; the timeline follows it.
    assert brief.evaluate("(b) => !!(b.compareDocumentPosition(document.querySelector('ol.timeline')) & 4)")
    box = brief.bounding_box()
    assert box is not None and box["y"] < 400  # in the top half of the 1280x800 window

    page.screenshot(path=str(SCREENSHOT))


@pytest.mark.browser
def test_a_wrong_password_keeps_the_agent_on_the_sign_in_page(page: Page):
    sign_in(page, password="not-the-password")

    expect(page.get_by_role("alert")).to_have_text("Het e-mailadres of het wachtwoord klopt niet.")
    expect(page).to_have_url(re.compile(r"/signin$"))
    expect(page.get_by_label("E-mailadres")).to_have_value(DEMO_AGENT)
    expect(page.get_by_role("link", name="Zaken")).to_have_count(0)


@pytest.mark.browser
def test_the_sign_in_page_switches_to_english_and_back(page: Page):
    page.goto("/signin")
    expect(page.get_by_role("heading", name="Inloggen")).to_be_visible()

    page.get_by_role("button", name="English").click()

    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(page.get_by_label("E-mail address")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "en")

    page.get_by_role("button", name="Nederlands").click()

    expect(page.get_by_role("heading", name="Inloggen")).to_be_visible()


@pytest.mark.browser
def test_signing_out_ends_the_session(page: Page):
    sign_in(page)
    expect(page).to_have_url(re.compile(r"/cases$"))

    page.get_by_role("button", name="Uitloggen").click()

    expect(page).to_have_url(re.compile(r"/signin$"))
    page.goto("/cases")
    expect(page).to_have_url(re.compile(r"/signin\?next=/cases$"))
    expect(page.get_by_role("heading", name="Inloggen")).to_be_visible()


@pytest.mark.browser
def test_customer_text_is_shown_as_text_never_run_as_script(page: Page, server, api_token):
    customers = server.api("GET", "/api/v1/customers", api_token)["items"]
    case = server.api(
        "POST",
        "/api/v1/cases",
        api_token,
        {"customer_id": customers[0]["id"], "subject": "Vreemde tekens in het formulier"},
    )
    server.api(
        "POST",
        f"/api/v1/cases/{case['id']}/contacts",
        api_token,
        {"channel": "web_form", "messages": [{"speaker": "customer", "text": PAYLOAD}]},
    )

    sign_in(page)
    expect(page).to_have_url(re.compile(r"/cases$"))
    response = page.goto(f"/cases/{case['id']}")

    expect(page.locator("dd.need")).to_have_text(PAYLOAD)
    expect(page.locator("ol.timeline blockquote").first).to_have_text(PAYLOAD)
    assert page.evaluate("typeof window.__pwned") == "undefined"
    expect(page.locator("main script, main img")).to_have_count(0)

    assert response is not None
    policy = dict(
        directive.strip().split(None, 1)
        for directive in response.headers["content-security-policy"].split(";")
        if directive.strip()
    )
    script_src = policy.get("script-src", policy.get("default-src", ""))
    assert script_src and "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
    [session] = [c for c in page.context.cookies() if c["name"] == "attent_session"]
    assert session["httpOnly"] is True
    assert session["sameSite"] in ("Lax", "Strict")
