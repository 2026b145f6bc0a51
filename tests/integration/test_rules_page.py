"""The rules page: admins edit (a form per rule, the whole document as YAML), leads read and dry-run."""

import re
from html import unescape

from attent.signals.jobs import evaluate_signals
from tests.conftest import Api
from tests.integration.rulebooks import FAILED_DELIVERY, LATE_ARRIVAL, document


def _browser(app_client, token):
    """A client that authenticates with a token and holds the page's CSRF cookie, like a signed-in browser."""
    client = Api(app_client, token)
    assert client.get("/rules").status_code in (200, 403)
    client.csrf = app_client.cookies.get("attent_csrf")
    return client


def _rule_ids(admin_api):
    return {r["key"]: r["state"]["id"] for r in admin_api.get("/api/v1/rules").json()["rules"]}


def test_admins_change_a_rule_through_its_form(app_client, admin_api, tenant):
    admin_api.put("/api/v1/rules", json=document(LATE_ARRIVAL))
    page = _browser(app_client, tenant.tokens["admin"])
    html = page.get("/rules").text
    assert "Dinner waiting for late arrivals" in html and "Regel opslaan" in html  # Dutch by default
    rule_id = _rule_ids(admin_api)["late-arrival"]
    saved = page.post(
        f"/rules/{rule_id}",
        data={
            "csrf": page.csrf, "name": "Diner voor late gasten <b>", "signal": "booking.arriving",
            "if-0-field": "signal.arrives_at", "if-0-op": "local_time_after", "if-0-value": "22:00",
            "then-0-do": "open_case", "then-0-subject": "Diner klaarzetten",
        },
        follow_redirects=False,
    )  # fmt: skip
    assert saved.status_code == 303, saved.text
    rule = admin_api.get(f"/api/v1/rules/{rule_id}").json()
    assert rule["name"] == "Diner voor late gasten <b>" and rule["active"] is False  # the box was not ticked
    assert rule["if"][0]["value"] == "22:00"
    html = page.get("/rules").text
    assert "Diner voor late gasten &lt;b&gt;" in html and "<b>" not in html.split("<main>")[1]


def test_a_refused_document_shows_each_problem_and_saves_nothing(app_client, admin_api, tenant):
    admin_api.put("/api/v1/rules", json=document(LATE_ARRIVAL))
    page = _browser(app_client, tenant.tokens["admin"])
    text = (
        "rules:\n  - key: x\n    name: X\n    when: {signal: booking.arriving}\n    then: [{do: teleport}]\n"
    )
    refused = page.post("/rules", data={"csrf": page.csrf, "document": text})
    assert refused.status_code == 422
    assert "<code>rules/0/then/0/do</code>: Onbekende actie “teleport”" in refused.text
    assert "teleport" in unescape(
        re.search(r"<textarea name=\"document\"[^>]*>(.*?)</textarea>", refused.text, re.S)[1]
    )
    assert [r["key"] for r in admin_api.get("/api/v1/rules").json()["rules"]] == ["late-arrival"]
    broken = page.post("/rules", data={"csrf": page.csrf, "document": "rules: ["})
    assert broken.status_code == 422 and "Geen geldige YAML" in broken.text
    assert page.post("/rules", data={"csrf": "forged", "document": "rules: []"}).status_code == 403


def test_a_paused_rule_shows_its_error_and_can_be_resumed(app_client, admin_api, tenant, database, clock):
    admin_api.put("/api/v1/rules", json=document(FAILED_DELIVERY))
    admin_api.post("/api/v1/signals", json={
        "type": "delivery.failed", "customer_id": str(tenant.customer.id),
        "occurred_at": clock.now().isoformat(), "attributes": {"attempt": 1},
    })  # fmt: skip
    evaluate_signals(database=database, now=clock.now())
    page = _browser(app_client, tenant.tokens["admin"])
    html = page.get("/rules").text
    assert "gepauzeerd" in html and "send_message: UndefinedError" in html and "Hervatten" in html
    rule_id = _rule_ids(admin_api)["failed-delivery"]
    resumed = page.post(f"/rules/{rule_id}/resume", data={"csrf": page.csrf}, follow_redirects=False)
    assert resumed.status_code == 303
    assert admin_api.get(f"/api/v1/rules/{rule_id}").json()["state"]["paused_at"] is None


def test_leads_read_and_dry_run_agents_are_kept_out(app_client, admin_api, tenant, clock):
    admin_api.put("/api/v1/rules", json=document(FAILED_DELIVERY))
    admin_api.post("/api/v1/signals", json={
        "type": "delivery.failed", "customer_id": str(tenant.customer.id),
        "occurred_at": clock.now().isoformat(), "attributes": {"order_id": "O-1", "attempt": 1},
    })  # fmt: skip
    lead = _browser(app_client, tenant.tokens["lead"])
    html = lead.get("/rules").text
    assert "<fieldset disabled>" in html and "Regel opslaan" not in html and "Proefdraaien" in html
    rule_id = _rule_ids(admin_api)["failed-delivery"]
    assert lead.post("/rules", data={"csrf": lead.csrf, "document": "rules: []"}).status_code == 403
    dry = lead.get(f"/rules/{rule_id}/dry-run", params={"since": "7d"})
    assert dry.status_code == 200
    assert "1 signaal sinds" in dry.text and "zou reageren" in dry.text
    assert "<code>open_case</code>, <code>make_promise</code>, <code>send_message</code>" in dry.text
    agent = Api(app_client, tenant.tokens["agent"])
    assert agent.get("/rules").status_code == 403


def test_the_page_speaks_english_to_english_agents(app_client, admin_api, tenant):
    admin_api.patch(f"/api/v1/agents/{tenant.admin.id}", json={"language": "en"})
    admin_api.put("/api/v1/rules", json=document(LATE_ARRIVAL))
    html = _browser(app_client, tenant.tokens["admin"]).get("/rules").text
    assert "Save rule" in html and "At most 2 proactive contacts per customer in 7 days." in html
