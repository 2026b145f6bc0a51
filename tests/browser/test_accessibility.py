"""Every page by keyboard, with a name on every control, readable at 1280x800 (a 13-inch laptop)."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_workspace import SUBJECT, sign_in

ADMIN = "sanne@kopjekoffie.example"
# A control's accessible name, the way assistive technology finds it; hidden inputs need none.
UNNAMED = """() => [...document.querySelectorAll('input, select, textarea, button')]
  .filter(el => el.type !== 'hidden' && el.offsetParent !== null)
  .filter(el => !(el.getAttribute('aria-label') || el.getAttribute('aria-labelledby') || el.title
                  || (el.labels && el.labels.length) || (el.tagName === 'BUTTON' && el.textContent.trim())))
  .map(el => el.outerHTML.slice(0, 120))"""


def _pages(page: Page) -> list[str]:
    """The pages an admin sees: the start page, the case list, a case, its customer, team, settings."""
    page.goto("/cases")
    page.get_by_role("link", name=SUBJECT).click()
    case_url = page.url
    customer = page.locator("a[href^='/customers/']").first.get_attribute("href")
    assert customer is not None
    settings = [
        "/admin/playbooks",
        "/admin/playbooks/delivery_missing",
        "/admin/verification",
        "/admin/coach",
    ]
    return ["/", "/cases", case_url, customer, "/team", "/coach", "/coach/team", *settings]


@pytest.mark.browser
def test_every_control_has_a_name_and_no_page_scrolls_sideways_at_1280(page: Page):
    sign_in(page, ADMIN)
    for path in _pages(page):
        page.goto(path)
        assert page.evaluate(UNNAMED) == [], path
        width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
        assert width[0] <= width[1], f"{path} scrolls sideways: {width}"
    page.goto("/admin/playbooks/delivery_missing")
    page.screenshot(path="/tmp/attent-admin-playbook.png", full_page=True)


@pytest.mark.browser
def test_an_agent_writes_a_note_by_keyboard_alone_and_sees_where_focus_is(page: Page):
    sign_in(page)
    page.get_by_role("link", name=SUBJECT).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(SUBJECT)
    for _ in range(250):  # Tab through the page as a keyboard user does, until the note field
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.id") == "note-text":
            break
    else:
        pytest.fail("Tab never reached the note field")
    page.keyboard.type("Klant belt om 15:00 terug, pakket via PostNL opgespoord")
    page.keyboard.press("Tab")  # past the field for files, which shows its focus too
    assert page.evaluate(
        "() => [document.activeElement.id, getComputedStyle(document.activeElement).outlineStyle]"
    ) == ["note-files", "solid"]
    page.keyboard.press("Tab")
    focused = page.evaluate(
        "() => { const el = document.activeElement;"
        " return [el.textContent.trim(), getComputedStyle(el).outlineStyle]; }"
    )
    assert focused == ["Notitie toevoegen", "solid"]  # the button, with a visible focus ring
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/cases/[^#]+#note$"))
    expect(page.locator("ol.timeline li").first).to_contain_text("pakket via PostNL opgespoord")
