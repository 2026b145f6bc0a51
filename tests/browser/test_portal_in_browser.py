"""The customer's side in a real browser: a question through the web form, then "Mijn vragen" showing the
promise we made, and later that it was kept."""

import re
import sqlite3
from datetime import UTC, datetime

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.conftest import DEMO_ORG

EMAIL = "lotte.jansen@example.nl"


def _signin_link(server, email: str) -> str:
    """The link in the queued e-mail (the test server runs no worker, so it waits in the outbox)."""
    with sqlite3.connect(server.workdir / "attent.db") as conn:
        [body] = conn.execute(
            "SELECT body FROM outbound_messages WHERE template = 'signin_link' AND recipient = ? "
            "ORDER BY created_at DESC LIMIT 1",
            (email,),
        ).fetchone()
    found = re.search(r"https?://[^/\s]+(/help/[\w-]+/in/[\w-]+)", body)
    assert found, body
    return found.group(1)


@pytest.mark.browser
def test_a_question_from_the_form_then_the_promise_and_that_it_was_kept(browser: Browser, server, api_token):
    context = browser.new_context(base_url=server.url, locale="nl-NL")  # Accept-Language: nl-NL
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.goto(f"/help/{DEMO_ORG}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Stel Kopje Koffie een vraag")
    page.get_by_label("Uw naam").fill("Lotte Jansen")
    page.get_by_label("Uw e-mailadres").fill(EMAIL)
    page.get_by_label("Uw vraag").fill("Mijn espressomachine lekt, kunt u helpen?")
    page.wait_for_timeout(3200)  # the form refuses what a script sends within 3 seconds (real clock here)
    page.get_by_role("button", name="Versturen").click()
    expect(page.locator(".promise-made")).to_contain_text("U hoort")
    expect(page.locator(".promise-made")).to_contain_text("van ons")

    page.get_by_role("link", name="Mijn vragen").first.click()
    page.get_by_label("Uw e-mailadres").fill(EMAIL)
    page.get_by_role("button", name="Stuur mij een link").click()
    expect(page.get_by_role("status")).to_contain_text("Als we dit adres kennen")
    page.goto(_signin_link(server, EMAIL))
    page.get_by_role("button", name="Toon mijn vragen").click()
    page.get_by_role("link", name="Mijn espressomachine lekt").click()
    promises = page.locator("#promises")
    expect(promises).to_contain_text("uiterlijk")
    expect(promises).to_contain_text("staat nog open")

    case_id = page.url.rsplit("/", 1)[-1].split("?")[0]
    now = datetime.now(UTC).isoformat()
    server.api(
        "POST",
        f"/api/v1/cases/{case_id}/contacts",
        api_token,
        {
            "channel": "phone",
            "direction": "outbound",
            "ended_at": now,
            "outcome": "resolved",
            "messages": [{"speaker": "agent", "text": "We sturen u vandaag een nieuwe pakking."}],
        },
    )
    page.reload()
    expect(promises).to_contain_text("nagekomen")
    expect(page.locator("#conversation")).to_contain_text("We sturen u vandaag een nieuwe pakking.")
    context.close()
