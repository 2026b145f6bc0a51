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
# `ATTENT_SCREENSHOT_DIR=docs/screenshots pytest tests/browser` refreshes the README's screenshots.
SCREENSHOTS = Path(os.environ.get("ATTENT_SCREENSHOT_DIR", tempfile.gettempdir()))
SCREENSHOT = SCREENSHOTS / "case-page.png"
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
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("heading", name="Mijn werk")).to_be_visible()

    page.get_by_role("link", name=SUBJECT).click()

    expect(page.get_by_role("heading", level=1)).to_contain_text(SUBJECT)
    brief = page.locator("section.brief")
    expect(brief.get_by_role("heading", name="Overdracht")).to_be_visible()
    expect(brief.locator("dd.need")).to_contain_text("Mijn bestelling 88213 is nooit aangekomen")
    # the dropped call became a call-back promise; Fatima is available, so it stays hers
    expect(brief.locator("dd.next")).to_contain_text("Bel de klant terug, uiterlijk vandaag")
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
    expect(page.get_by_role("link", name="Mijn werk")).to_have_count(0)


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
    expect(page).to_have_url(re.compile(r"/$"))

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
    expect(page).to_have_url(re.compile(r"/$"))
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


GIFT = "Cadeaupakket moet vandaag bezorgd worden"


@pytest.mark.browser
def test_my_work_puts_the_soonest_promise_first_with_a_live_countdown(page: Page):
    sign_in(page)
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("heading", name="Mijn werk")).to_be_visible()
    expect(page.get_by_role("link", name="Mijn werk")).to_have_attribute("aria-current", "page")

    rows = page.locator("#work tbody tr")
    # the call-back after the dropped call is due in minutes; the gift delivery after it, already at risk
    expect(rows.nth(0)).to_contain_text(SUBJECT)
    expect(rows.nth(0).locator("time[data-countdown]")).to_have_text(re.compile(r"^over \d+ min$"))
    expect(rows.nth(0).locator(".due")).to_have_text(re.compile(r"^uiterlijk vandaag \d{1,2}:\d\d$"))
    expect(rows.nth(1)).to_contain_text(GIFT)
    expect(rows.nth(1)).to_contain_text("in gevaar")
    expect(rows.nth(1)).to_contain_text("Het pakket wordt vandaag vóór")
    counts = page.get_by_role("list", name="In één oogopslag")
    expect(counts).to_contain_text("beloftes in gevaar")
    page.screenshot(path=str(SCREENSHOTS / "my-work.png"))

    # Filtering swaps the list in place (HTMX) and keeps the filter in the address for reloads.
    page.get_by_label("Soort").select_option("delivery_late")
    expect(page).to_have_url(re.compile(r"type=delivery_late"))
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(GIFT)
    page.get_by_label("Soort").select_option("")
    expect(rows.first).to_contain_text(SUBJECT)

    rows.first.get_by_role("link", name=SUBJECT).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(SUBJECT)


@pytest.mark.browser
def test_the_customer_page_shows_details_facts_cases_and_promises(page: Page):
    sign_in(page)
    page.locator("#work").get_by_role("link", name="Marieke Visser").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Marieke Visser")
    # The address answers the default verification question: shown masked, with the reason on hover.
    expect(page.locator("main")).to_contain_text("m••••@example.nl")
    expect(page.locator("main")).not_to_contain_text("marieke.visser@example.nl")
    expect(page.locator("main .masked").first).to_have_attribute("title", re.compile("verifiëren"))
    expect(page.locator("main")).to_contain_text("C-1042")
    expect(page.locator("main")).to_contain_text("Liever gebeld dan gemaild")
    expect(page.get_by_role("region", name="Zaken").get_by_role("link", name=SUBJECT)).to_be_visible()
    promises = page.get_by_role("region", name="Beloftes")
    expect(promises.locator("time[data-countdown]")).to_have_count(1)
    page.screenshot(path=str(SCREENSHOTS / "customer-page.png"), full_page=True)


@pytest.mark.browser
def test_the_lead_sees_promises_in_trouble_and_who_is_available(page: Page):
    sign_in(page, "daan@kopjekoffie.example")
    page.get_by_role("link", name="Team").click()

    expect(page).to_have_url(re.compile(r"/team$"))
    trouble = page.get_by_role("region", name="Beloftes in gevaar en niet nagekomen")
    broken = trouble.locator("tr.broken")
    expect(broken).to_contain_text("Emma Clarke")
    expect(broken).to_contain_text("Ik mail u morgen vóór")
    expect(trouble.locator("tr.at-risk")).to_contain_text("Fatima El Amrani")
    callbacks = page.get_by_role("region", name="Terugbelafspraken in de komende 30 minuten")
    expect(callbacks).to_contain_text(SUBJECT)
    people = page.get_by_role("region", name="Wie is er beschikbaar")
    expect(people).to_contain_text("Fatima El Amrani")
    page.screenshot(path=str(SCREENSHOTS / "team-view.png"), full_page=True)


@pytest.mark.browser
def test_an_agent_has_no_team_view(page: Page):
    sign_in(page)
    expect(page.get_by_role("link", name="Team")).to_have_count(0)
    response = page.goto("/team")
    assert response is not None and response.status == 403


@pytest.mark.browser
def test_presence_and_language_switch_in_the_header(page: Page):
    sign_in(page, "tom@kopjekoffie.example")
    presence = page.get_by_role("form", name="Mijn status")
    expect(presence.get_by_role("button", name="offline")).to_have_attribute("aria-pressed", "true")

    presence.get_by_role("button", name="afwezig").click()

    expect(presence.get_by_role("button", name="afwezig")).to_have_attribute("aria-pressed", "true")
    expect(page.locator("header .me .dot")).to_have_class(re.compile(r"presence-away"))
    expect(page).to_have_url(re.compile(r"/$"))

    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", name="My work")).to_be_visible()
    expect(page.get_by_role("form", name="My presence").get_by_role("button", name="away")).to_have_attribute(
        "aria-pressed", "true"
    )
    page.get_by_role("button", name="Nederlands").click()
    expect(page.get_by_role("heading", name="Mijn werk")).to_be_visible()
