"""An admin writes a rule in the browser as when / if / then: a condition added and its operator chosen
swap the rule's form in place (htmx), the local time is picked as a time, and the rule is saved."""

import re

import pytest
from playwright.sync_api import Browser, expect

from attent.demo import PASSWORD
from tests.browser.conftest import VIEWPORT, Server
from tests.browser.test_accessibility import UNNAMED

ADMIN = "sanne@kopjekoffie.example"


@pytest.mark.browser
def test_an_admin_adds_a_rule_with_a_time_condition(browser: Browser, server: Server) -> None:
    context = browser.new_context(base_url=server.url, viewport=VIEWPORT)
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.goto("/signin")
    page.get_by_label("E-mailadres").fill(ADMIN)
    page.get_by_label("Wachtwoord", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.goto("/rules")
    new = page.locator("section#rule-new")
    new.get_by_label(re.compile("^Sleutel")).fill("late-gasten")
    new.get_by_label("Naam").fill("Diner voor late gasten")
    new.get_by_label("Als dit signaal binnenkomt").select_option("booking.arriving")
    page.wait_for_load_state("networkidle")  # each change draws the section again, in place
    new.get_by_role("button", name="Voorwaarde toevoegen").click()
    field = page.locator("section#rule-new select[name='if-0-field']")
    field.select_option("signal.arrives_at")
    page.wait_for_load_state("networkidle")
    page.locator("section#rule-new select[name='if-0-op']").select_option("local_time_after")
    page.wait_for_load_state("networkidle")
    time_box = page.locator("section#rule-new input[type='time'][name='if-0-value']")
    expect(time_box).to_be_visible()
    time_box.fill("22:15")
    expect(page.locator("section#rule-new input[name='key']")).to_have_value("late-gasten")  # kept over swaps
    page.locator("section#rule-new input[name='then-0-subject']").fill("Diner klaarzetten")
    page.locator("section#rule-new").get_by_role("button", name="Regel toevoegen").click()
    saved = page.locator("section#rule-late-gasten")
    expect(saved).to_be_visible()
    expect(saved.locator("input[type='time'][name='if-0-value']")).to_have_value("22:15")
    expect(page.locator("textarea[name='document']")).to_contain_text("value: '22:15'")
    for path in ("/rules", "/recovery/ladder"):  # every control named, nothing scrolls sideways at 1280
        page.goto(path)
        assert page.evaluate(UNNAMED) == [], path
        width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
        assert width[0] <= width[1], f"{path} scrolls sideways: {width}"
        page.screenshot(path=f"/tmp/attent{path.replace('/', '-')}.png", full_page=True)
    context.close()
