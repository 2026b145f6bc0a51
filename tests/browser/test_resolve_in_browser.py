"""Resolving a case in a real browser: the status form asks what becomes of each open promise."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import Server
from tests.browser.test_workspace import sign_in


@pytest.mark.browser
def test_resolving_asks_what_becomes_of_each_open_promise(page: Page, server: Server, api_token: str):
    customer = server.api("POST", "/api/v1/customers", api_token, {"name": "Sanne de Wit"})
    body = {"customer_id": customer["id"], "subject": "Retour"}
    case = server.api("POST", "/api/v1/cases", api_token, body)
    due = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    promise = server.api(
        "POST", f"/api/v1/cases/{case['id']}/promises", api_token, {"kind": "delivery", "due_at": due}
    )
    sign_in(page)
    page.goto(f"/cases/{case['id']}")
    expect(page.locator("#promises li.promise")).to_contain_text("uiterlijk morgen")

    status = page.locator("#status")
    status.get_by_label("Naar").select_option("resolved")
    status.get_by_role("button", name="Status wijzigen").click()
    expect(page.locator("#status [role=alert]")).to_contain_text(promise["id"])  # refused, naming it
    expect(page.locator("h1 .status")).not_to_have_text("opgelost")

    status = page.locator("#status")
    status.get_by_label("Naar").select_option("resolved")
    status.locator(f"#fate-{promise['id']}").select_option(label="Draag over aan het team")
    status.get_by_role("button", name="Status wijzigen").click()
    expect(page).to_have_url(re.compile(r"#status$"))
    expect(page.locator("h1 .status")).to_have_text(re.compile("opgelost", re.IGNORECASE))
    # handed to the team, still owed: the brief says so rather than "nothing"
    expect(page.locator("section.brief dd.next")).to_contain_text("Kom de belofte na (levering)")
    expect(page.locator("section.brief dd.next")).not_to_contain_text("Niets")
