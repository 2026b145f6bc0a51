"""A call logged by the phone system while the case is open: the worker scores it, and the coach panel
shows the scorecard and the promise it heard without the agent reloading, keeping what she types."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.conftest import DEMO_AGENT, DEMO_ORG, VIEWPORT, Server
from tests.browser.test_workspace import SUBJECT, sign_in

CALL = [
    ("customer", "Hallo, mijn pakket is nog steeds niet binnen, ik wacht al een week."),
    ("agent", "Wat vervelend dat u al een week wacht. Mag ik uw ordernummer, dan zoek ik het op?"),
    ("customer", "88213."),
    ("agent", "Ik kijk nu bij de vervoerder. Ik bel u binnen een kwartier terug met nieuws."),
    ("agent", "Kan ik u verder nog ergens mee helpen?"),
    ("customer", "Nee, dank u."),
]


@pytest.mark.browser
def test_a_scored_call_appears_in_the_open_case_page(browser: Browser, server_with_worker: Server):
    server = server_with_worker
    token = server.attent("token", "create", "--org", DEMO_ORG, "--email", DEMO_AGENT, "--name", "phone")
    token = token.strip()
    page = browser.new_context(base_url=server.url, viewport=VIEWPORT).new_page()
    page.set_default_timeout(15_000)
    sign_in(page)
    page.goto("/cases")
    page.get_by_role("link", name=SUBJECT).first.click()
    expect(page.locator("body")).to_have_attribute("data-live", "open")
    case_id = re.search(r"/cases/([0-9a-f-]{36})", page.url).group(1)  # type: ignore[union-attr]
    coach = page.locator("#coach")
    scorecards_before = coach.locator("details.scorecard").count()
    note = page.locator("#note").get_by_label(re.compile("Notitie voor collega"))
    note.fill("Half getypt")  # the note form is not a live panel: it must survive the refresh untouched

    start = datetime.now(UTC) - timedelta(minutes=3)
    server.api(
        "POST",
        f"/api/v1/cases/{case_id}/contacts",
        token,
        {
            "channel": "phone",
            "direction": "inbound",
            "started_at": start.isoformat(),
            "ended_at": (start + timedelta(seconds=70)).isoformat(),
            "outcome": "follow_up",
            "messages": [
                {"speaker": who, "text": text, "at": (start + timedelta(seconds=10 * i)).isoformat()}
                for i, (who, text) in enumerate(CALL)
            ],
        },
    )

    expect(coach.locator("details.scorecard")).to_have_count(scorecards_before + 1)
    expect(coach.locator(".proposal-list")).to_contain_text("Ik bel u binnen een kwartier terug")
    expect(coach.locator("details.scorecard").first).to_contain_text(re.compile(r"\d+ van \d+ goed"))
    expect(note).to_have_value("Half getypt")
    page.context.close()
