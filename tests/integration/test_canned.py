"""Canned replies: personal and per team, Dutch and English, variables filled in from the case."""

from datetime import timedelta
from html import unescape

from tests.conftest import Api

TEXT_NL = (
    "Beste {{customer.first_name}}, we bellen u {{promise.due}} terug over zaak {{case.reference}}. "
    "Groet, {{agent.name}}"
)
TEXT_EN = "Dear {{customer.first_name}}, we will call you back {{promise.due}}. {{agent.first_name}}"


def _reply(api, **extra):
    body = {"name": "Terugbellen", "text_nl": TEXT_NL, "text_en": TEXT_EN, **extra}
    response = api.post("/api/v1/canned-replies", json=body)
    assert response.status_code == 201, response.text
    return response.json()


def test_filled_in_dutch_with_the_customers_name_and_the_promises_time(api, tenant, clock):
    due = clock.now() + timedelta(hours=26)
    api.post(f"/api/v1/cases/{tenant.case.id}/promises", json={"kind": "callback", "due_at": due.isoformat()})
    reply = _reply(api)
    filled = api.get(f"/api/v1/cases/{tenant.case.id}/canned-replies/{reply['id']}").json()["text"]
    reference = tenant.case.id.hex[-6:].upper()
    assert filled.startswith("Beste Marieke, we bellen u morgen") and f"zaak {reference}." in filled
    assert filled.endswith(f"Groet, {tenant.agent.name}") and "{{" not in filled


def test_an_english_customer_gets_the_english_words_and_no_promise_leaves_no_placeholder(api, tenant):
    api.patch(f"/api/v1/customers/{tenant.customer.id}", json={"language": "en"})
    reply = _reply(api)
    filled = api.get(f"/api/v1/cases/{tenant.case.id}/canned-replies/{reply['id']}").json()["text"]
    assert filled == f"Dear Marieke, we will call you back . {tenant.agent.name.split()[0]}"


def test_unknown_variables_and_empty_replies_are_a_422_naming_the_field(api):
    bad = api.post("/api/v1/canned-replies", json={"name": "x", "text_nl": "Hoi {{klant.naam}}"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["path"][-1] == "text_nl"
    empty = api.post("/api/v1/canned-replies", json={"name": "x"})
    assert empty.status_code == 422


def test_personal_and_team_sets_and_who_keeps_them(app_client, api, tenant):
    lead, outsider = Api(app_client, tenant.tokens["lead"]), Api(app_client, tenant.tokens["outsider"])
    mine = _reply(api, name="Mijn groet")
    assert (
        api.post(
            "/api/v1/canned-replies", json={"name": "Team", "text_nl": "x", "team_id": str(tenant.team_id)}
        ).status_code
        == 403
    )
    team = _reply(lead, name="Teamgroet", team_id=str(tenant.team_id))
    assert {r["name"] for r in api.get("/api/v1/canned-replies").json()} == {"Mijn groet", "Teamgroet"}
    assert [r["name"] for r in api.get("/api/v1/canned-replies", params={"q": "team"}).json()] == [
        "Teamgroet"
    ]
    assert outsider.get("/api/v1/canned-replies").json() == []
    assert api.delete(f"/api/v1/canned-replies/{team['id']}").status_code == 403
    assert outsider.delete(f"/api/v1/canned-replies/{mine['id']}").status_code == 404
    assert lead.delete(f"/api/v1/canned-replies/{team['id']}").status_code == 204


def test_insert_on_the_case_page_without_javascript(api, tenant):
    reply = _reply(api)
    page = api.get(f"/cases/{tenant.case.id}").text
    assert f'<option value="{reply["id"]}">Terugbellen</option>' in page
    inserted = unescape(api.get(f"/cases/{tenant.case.id}", params={"canned": reply["id"]}).text)
    assert "Beste Marieke, we bellen u  terug over zaak" in inserted  # no promise: said as nothing
    assert api.get(f"/cases/{tenant.case.id}", params={"canned": "nonsense"}).status_code == 200


def test_the_canned_replies_page_writes_and_deletes_in_dutch(app_client, api, tenant):
    assert "<h1>Standaardantwoorden</h1>" in api.get("/replies").text
    csrf = app_client.cookies.get("attent_csrf")
    form = {"name": "Bedankt", "text_nl": "Dank u, {{customer.first_name}}.", "csrf": csrf}
    assert api.post("/replies", data=form, follow_redirects=False).status_code == 303
    html = unescape(api.get("/replies").text)
    assert "Dank u, {{customer.first_name}}." in html
    refused = api.post("/replies", data={**form, "text_nl": "{{klant}}"})
    assert refused.status_code == 422 and "Onbekende variabele klant" in unescape(refused.text)
    [reply] = api.get("/api/v1/canned-replies").json()
    assert (
        api.post(f"/replies/{reply['id']}/delete", data={"csrf": csrf}, follow_redirects=False).status_code
        == 303
    )
    assert api.get("/api/v1/canned-replies").json() == []


def test_a_canned_reply_may_also_set_a_status_and_a_tag_when_sent(app_client, api, tenant):
    reply = _reply(api, name="Wacht op klant", then_status="waiting_on_customer", then_tag="Wacht")
    assert (reply["then_status"], reply["then_tag"]) == ("waiting_on_customer", "wacht")
    page = unescape(api.get(f"/cases/{tenant.case.id}", params={"canned": reply["id"]}).text)
    assert (
        'name="then_status" value="waiting_on_customer"' in page and 'name="then_tag" value="wacht"' in page
    )
    assert "Versturen zet de zaak ook op:" in page and "Versturen voegt ook het label toe: wacht" in page
    csrf = app_client.cookies.get("attent_csrf")
    form = {
        "text": "Kunt u ons een foto sturen?",
        "then_status": "waiting_on_customer",
        "then_tag": "wacht",
        "csrf": csrf,
    }
    sent = api.post(f"/cases/{tenant.case.id}/reply", data=form, follow_redirects=False)
    assert sent.status_code == 303, sent.text
    assert api.get(f"/api/v1/cases/{tenant.case.id}").json()["status"] == "waiting_on_customer"
    assert [t["name"] for t in api.get(f"/api/v1/cases/{tenant.case.id}/tags").json()] == ["wacht"]


def test_a_refused_status_move_sends_nothing(app_client, api, tenant, clock):
    due = (clock.now() + timedelta(hours=2)).isoformat()
    api.post(f"/api/v1/cases/{tenant.case.id}/promises", json={"kind": "callback", "due_at": due})
    api.get(f"/cases/{tenant.case.id}")
    form = {"text": "Opgelost!", "then_status": "resolved", "csrf": app_client.cookies.get("attent_csrf")}
    refused = api.post(f"/cases/{tenant.case.id}/reply", data=form)
    assert refused.status_code == 409  # the open promise must be settled first: nothing is sent
    kinds = [e["kind"] for e in api.get(f"/api/v1/cases/{tenant.case.id}/timeline").json()["items"]]
    assert "message.added" not in kinds and "case.status_changed" not in kinds
