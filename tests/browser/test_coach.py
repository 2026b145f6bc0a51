"""The coach in a real browser on the demo data: a lead reaches team trends by keyboard, an agent reads a
scorecard and dismisses a promise the coach heard on the case page."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_workspace import SCREENSHOTS, SUBJECT, sign_in


@pytest.mark.browser
def test_a_lead_opens_team_coaching_from_the_header_and_switches_team_by_keyboard(page: Page):
    sign_in(page, "daan@kopjekoffie.example")
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Coach").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Jouw kleine detail van vandaag")
    page.get_by_role("link", name="Teamcoaching").click()
    expect(page).to_have_url(re.compile(r"/coach/team$"))
    trends = page.get_by_role("region", name="Trends: aandeel goed per week")
    row = trends.get_by_role("row", name=re.compile("Checkt of alles beantwoord is"))
    expect(row).to_contain_text("0%")
    expect(row).to_contain_text("100%")  # the demo's agents learnt to ask before ending
    focus = page.get_by_role("region", name="Focus per medewerker (afgelopen 14 dagen)")
    expect(focus).to_contain_text("Fatima El Amrani")
    page.screenshot(path=str(SCREENSHOTS / "coach-team.png"), full_page=True)
    page.get_by_label("Team").focus()
    page.keyboard.press("ArrowDown")  # the other team
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/coach/team\?team_id="))


@pytest.mark.browser
def test_an_agent_sees_the_scorecard_and_dismisses_a_heard_promise_by_keyboard(page: Page):
    sign_in(page)
    page.get_by_role("link", name=SUBJECT).click()
    coach = page.get_by_role("region", name="Coach")
    expect(coach).to_contain_text("Beloftes gehoord in het gesprek")
    expect(coach.locator("details.scorecard").first).to_contain_text("Zegt waarom gegevens nodig zijn")
    page.screenshot(path=str(SCREENSHOTS / "coach-case.png"), full_page=True)
    proposals = coach.locator("li.proposal")
    before = proposals.count()
    coach.get_by_role("button", name=re.compile("^Afwijzen")).first.focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"#coach$"))
    expect(page.get_by_role("region", name="Coach").locator("li.proposal")).to_have_count(before - 1)
