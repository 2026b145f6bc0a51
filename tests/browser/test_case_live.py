"""The case page at work, in a real browser: verify, follow the playbook, log a dropped call, and see a
colleague's change and presence arrive live in a second browser context."""

import os
import re
import tempfile
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.test_workspace import SUBJECT, sign_in

LEAD = "daan@kopjekoffie.example"
# `ATTENT_SCREENSHOT_DIR=docs/screenshots` refreshes the README's screenshot; a plain run leaves docs/ alone.
SCREENSHOTS = Path(os.environ.get("ATTENT_SCREENSHOT_DIR", tempfile.gettempdir()))


def _open_case(page: Page) -> None:
    page.goto("/cases")
    page.get_by_role("link", name=SUBJECT).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(SUBJECT)


@pytest.mark.browser
def test_verify_follow_the_playbook_and_log_a_dropped_call(page: Page):
    sign_in(page)
    _open_case(page)

    verify = page.locator("#verify")
    verify.get_by_role("radio", name=re.compile("e-mailadres bij ons bekend")).check()
    verify.get_by_label("Het antwoord van de klant").fill("iemand.anders@example.nl")
    verify.get_by_role("button", name="Controleren").click()
    expect(page.locator("#verify .result")).to_contain_text("Klopt niet")
    expect(page.locator("#verify")).not_to_contain_text("marieke.visser@example.nl")
    page.locator("#verify").get_by_role("radio", name=re.compile("e-mailadres bij ons bekend")).check()
    page.locator("#verify").get_by_label("Het antwoord van de klant").fill(" Marieke.Visser@example.nl ")
    page.locator("#verify").get_by_role("button", name="Controleren").click()
    expect(page.locator("#verify .result")).to_contain_text("Klopt")
    expect(page.locator("section.brief")).to_contain_text("Geverifieerd met")

    page.get_by_role("button", name="Start: Zending opzoeken bij de vervoerder").click()
    expect(page.locator("#playbook .say")).to_contain_text("Ik zoek nu uw zending op")
    expect(page.locator("#playbook .say").get_by_role("button", name="Beloof deze stap")).to_be_visible()

    brief_before = page.locator("section.brief").inner_text()
    kept_before = page.locator("ol.timeline li", has_text="Belofte nagekomen").count()
    call = page.locator("#call")
    call.get_by_label("Afloop").select_option("dropped")
    call.get_by_role("button", name="Gesprek vastleggen").click()
    expect(page).to_have_url(re.compile(r"#call$"))
    # a call that dropped again did not reach the customer: the call-back still stands, kept by nothing
    expect(page.locator("ol.timeline")).to_contain_text("Contact vastgelegd")
    expect(page.locator("ol.timeline li", has_text="Belofte nagekomen")).to_have_count(kept_before)
    expect(page.locator("#promises li.promise")).to_have_count(1)
    expect(page.locator("#promises li.promise").first).to_contain_text("terugbellen")
    expect(page.locator("section.brief")).not_to_have_text(brief_before)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "case-page-actions.png"), full_page=True)


@pytest.mark.browser
def test_a_colleagues_note_and_presence_arrive_live(browser: Browser, server):
    fatima = browser.new_context(base_url=server.url, viewport={"width": 1280, "height": 800}).new_page()
    daan = browser.new_context(base_url=server.url, viewport={"width": 1280, "height": 800}).new_page()
    sign_in(fatima)
    _open_case(fatima)
    expect(fatima.locator("body")).to_have_attribute("data-live", "open")
    sign_in(daan, LEAD)
    _open_case(daan)
    expect(daan.locator("#viewers")).to_contain_text("Fatima El Amrani")
    expect(fatima.locator("#viewers")).to_contain_text("Daan Jansen")  # arrived without reloading

    daan.locator("#note").get_by_label(re.compile("Notitie voor collega")).fill(
        "Vervoerder belt ons om 15:00"
    )
    daan.locator("#note").get_by_role("button", name="Notitie toevoegen").click()

    expect(fatima.locator("ol.timeline")).to_contain_text("Vervoerder belt ons om 15:00")
    fatima.context.close()
    daan.context.close()
