"""A call in a real browser: it rings for Fatima, her open page shows the caller's brief at once, the call
drops, and the call-back promise appears on the case, owned by her."""

import hashlib
import hmac
import json
import time
import urllib.request
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import DEMO_ORG
from tests.browser.test_workspace import sign_in

ADMIN = "sanne@kopjekoffie.example"


def _post_events(server, secret: str, *events: dict) -> dict:
    body = json.dumps(list(events)).encode()
    now = int(time.time())
    digest = hmac.new(secret.encode(), f"{now}.".encode() + body, hashlib.sha256).hexdigest()
    request = urllib.request.Request(
        f"{server.url}/hooks/{DEMO_ORG}.phone", method="POST", data=body,
        headers={"Content-Type": "application/json", "X-Attent-Signature": f"t={now},v1={digest}"},
    )  # fmt: skip
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)


def _event(call: str, seq: int, type_: str, **fields: object) -> dict:
    at = (datetime.now(UTC) + timedelta(seconds=seq)).isoformat()
    return {"type": type_, "call_id": call, "sequence": seq, "at": at, **fields}


@pytest.mark.browser
def test_a_call_rings_the_brief_shows_then_it_drops_into_her_call_back(page: Page, server):
    token = server.attent("token", "create", "--org", DEMO_ORG, "--email", ADMIN, "--name", "phone").strip()
    line = server.api("PUT", "/api/v1/phone/line?rotate_secret=true", token, {"queues": {}})
    sign_in(page)
    expect(page.locator("body")).to_have_attribute("data-calls", "open")
    panel = page.locator("aside.incoming-call")
    expect(panel).to_be_hidden()

    fatima = "fatima@kopjekoffie.example"
    _post_events(
        server, line["secret"], _event("BR-1", 0, "ringing", agent=fatima, **{"from": "06-12345678"})
    )
    expect(panel).to_be_visible()
    expect(panel).to_contain_text("Inkomend gesprek")
    expect(panel).to_contain_text("Marieke Visser")  # found by her number, written another way
    case_link = panel.locator("a[href^='/cases/']").first
    expect(case_link).to_be_visible()

    _post_events(server, line["secret"], _event("BR-1", 1, "answered", agent=fatima))
    expect(panel).to_contain_text("Aan de lijn")
    _post_events(server, line["secret"], _event("BR-1", 2, "ended", hangup_by="agent"))
    expect(panel).to_be_hidden()

    # a caller we do not know yet: their call drops, and the call-back is Fatima's at once
    _post_events(
        server, line["secret"],
        _event("BR-2", 0, "ringing", agent=fatima, **{"from": "+31 20 555 0199"}),
        _event("BR-2", 1, "answered", agent=fatima),
    )  # fmt: skip
    expect(panel).to_contain_text("+31 20 555 0199")
    _post_events(server, line["secret"], _event("BR-2", 2, "ended", hangup_by="system", cause="network"))
    expect(panel).to_be_hidden()
    call = server.api("GET", "/api/v1/phone/calls/BR-2", token)
    assert call["outcome"] == "dropped" and call["promise_id"]
    page.goto(f"/cases/{call['case_id']}")
    expect(page.locator("#promises li.promise", has_text="terugbellen")).to_have_count(1)
    brief = page.locator("section.brief")  # "terugbellen, uiterlijk … — Fatima El Amrani"
    expect(brief).to_contain_text("terugbellen")
    expect(brief.locator("li", has_text="terugbellen").first).to_contain_text("Fatima El Amrani")
