"""The workspace behaves like a page: forms end on the page's address and the live refresh keeps working,
a double click posts once, long words wrap, the heading's status is live, and the header fits one line.

These tests change data, so they run against a server of their own (not the session's demo server).
"""

import re
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import VIEWPORT, Server, _serve
from tests.browser.test_workspace import SUBJECT, sign_in

LEAD = "daan@kopjekoffie.example"
LONG_WORD = "https://track.example/" + "a1B2c3D4" * 372  # 3,000 characters without a space


@pytest.fixture(scope="module")
def own_server() -> Iterator[Server]:
    """The demo served for this module alone."""
    yield from _serve(Path(tempfile.mkdtemp(prefix="attent-page-behaviour-")), worker=False)


@pytest.fixture(scope="module")
def token(own_server: Server) -> str:
    """Fatima's API token, made the way an operator would."""
    return own_server.attent(
        "token", "create", "--org", "kopje-koffie", "--email", "fatima@kopjekoffie.example", "--name", "t"
    ).strip()


@pytest.fixture
def tab(browser: Browser, own_server: Server) -> Iterator[Page]:
    """A fresh browser profile at 1280x800 on this module's server."""
    context = browser.new_context(base_url=own_server.url, viewport=VIEWPORT)
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


def _case_id(server: Server, token: str) -> str:
    cases = server.api("GET", "/api/v1/cases?limit=100", token)["items"]
    return next(c["id"] for c in cases if c["subject"] == SUBJECT)


def _open(page: Page, case_id: str) -> None:
    page.goto(f"/cases/{case_id}")
    expect(page.locator("body")).to_have_attribute("data-live", "open")


def _no_405(page: Page) -> list[str]:
    """Collects every answer the page got that was a 405 (a GET of a form's POST address)."""
    seen: list[str] = []
    page.on("response", lambda r: seen.append(r.url) if r.status == 405 else None)
    return seen


@pytest.mark.browser
def test_after_every_form_the_page_stands_on_its_own_address_and_stays_live(
    tab: Page, own_server: Server, token: str
):
    case_id = _case_id(own_server, token)
    refused = _no_405(tab)
    sign_in(tab)
    _open(tab, case_id)
    own = re.compile(rf"/cases/{case_id}(#[\w-]+)?$")

    verify = tab.locator("#verify")
    verify.get_by_role("radio", name=re.compile("e-mailadres bij ons bekend")).check()
    verify.get_by_label("Het antwoord van de klant").fill("iemand.anders@example.nl")
    verify.get_by_role("button", name="Controleren").click()
    expect(tab.locator("#verify .result")).to_contain_text("Klopt niet")
    expect(tab).to_have_url(own)

    tab.get_by_role("button", name="Start: Zending opzoeken bij de vervoerder").click()
    expect(tab.locator("#playbook .say")).to_contain_text("Ik zoek nu uw zending op")
    expect(tab).to_have_url(own)

    # A refused form (a note of white space only gets past the browser's `required`) is drawn at its
    # POST address; the page puts its own address back in the bar.
    tab.locator("#note-text").fill("   ")
    tab.locator("#note").get_by_role("button", name="Notitie toevoegen").click()
    expect(tab.locator("#note .flash.error")).to_contain_text("Schrijf iets in de notitie.")
    expect(tab).to_have_url(own)

    expect(tab.locator("body")).to_have_attribute("data-live", "open")
    own_server.api("POST", f"/api/v1/cases/{case_id}/notes", token, {"text": "Live na elk formulier"})
    expect(tab.locator("ol.timeline")).to_contain_text("Live na elk formulier")  # the refresh arrived
    tab.reload()
    expect(tab.locator("#note .flash.error")).to_have_count(0)  # a reload asks for the page, no re-post
    assert refused == []


@pytest.mark.browser
def test_a_double_click_on_add_note_adds_one_note(tab: Page, own_server: Server, token: str):
    case_id = _case_id(own_server, token)
    sign_in(tab)
    _open(tab, case_id)
    posts: list[str] = []
    tab.on("request", lambda r: posts.append(r.url) if r.method == "POST" and "/note" in r.url else None)
    tab.locator("#note-text").fill("Eén keer, ook bij dubbelklikken")
    tab.locator("#note").get_by_role("button", name="Notitie toevoegen").dblclick()
    expect(tab.locator("ol.timeline")).to_contain_text("Eén keer, ook bij dubbelklikken")
    events = own_server.api("GET", f"/api/v1/cases/{case_id}/timeline?limit=200", token)["items"]
    notes = [e for e in events if e["kind"] == "note.added" and e["data"]["text"].startswith("Eén keer")]
    assert len(notes) == 1
    assert len(posts) == 1  # the button waited while the first post was on its way


@pytest.mark.browser
def test_three_thousand_characters_without_a_space_wrap(tab: Page, own_server: Server, token: str):
    case_id = _case_id(own_server, token)
    own_server.api("POST", f"/api/v1/cases/{case_id}/notes", token, {"text": LONG_WORD})
    own_server.api(
        "POST",
        f"/api/v1/cases/{case_id}/contacts",
        token,
        {
            "channel": "email",
            "messages": [{"speaker": "customer", "text": f"Waar is mijn pakje? {LONG_WORD}"}],
        },
    )
    sign_in(tab)
    for url in ("/", "/cases", f"/cases/{case_id}"):
        tab.goto(url)
        width = tab.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
        assert width[0] <= width[1], f"{url} is {width[0]} px wide in a {width[1]} px window"
    expect(tab.locator("ol.timeline")).to_contain_text(LONG_WORD[:40])  # there, and wrapped


@pytest.mark.browser
def test_the_headings_status_follows_a_colleagues_change(tab: Page, own_server: Server, token: str):
    case_id = _case_id(own_server, token)
    sign_in(tab)
    _open(tab, case_id)
    status = tab.locator("h1 .status")
    before = status.inner_text()
    target = "waiting_on_third_party"
    own_server.api("PATCH", f"/api/v1/cases/{case_id}", token, {"status": target})
    expect(status).not_to_have_text(before)
    expect(status).to_have_text("wacht op externe partij")
    expect(status).to_have_class(re.compile(target))


@pytest.mark.browser
def test_a_leads_header_stays_on_one_line_at_1280(tab: Page):
    sign_in(tab, LEAD)
    for url in ("/", "/team", "/rules"):
        tab.goto(url)
        boxes = tab.evaluate(
            """() => [...document.querySelectorAll('header.top a, header.top button, header.top .me')]
                 .map((e) => e.getBoundingClientRect()).map((r) => [r.top, r.bottom])"""
        )
        tops, bottoms = [t for t, _ in boxes], [b for _, b in boxes]
        assert max(tops) < min(bottoms), f"{url}: the header's items lie on more than one line"
        height = tab.evaluate("() => document.querySelector('header.top').getBoundingClientRect().height")
        assert height < 64, f"{url}: the header is {height} px high"
