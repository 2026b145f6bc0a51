"""Search as you type: the header box's drop-down and the case page's canned-reply picker (htmx
fragments of escaped options), each a plain GET form without JavaScript; and the coach's better
phrasing kept as a canned reply."""

import re
from html import unescape

from tests.conftest import Api, page_csrf
from tests.integration.test_coach_scoring import ended_contact, run_worker
from tests.integration.test_recovery_pages import _sign_in, _with_password
from tests.integration.test_search import _case, _say


def test_the_header_box_suggests_escaped_marked_results_while_typing(app_client, db, tenant, clock):
    case = _case(db, tenant, clock, "<b>Bestelling</b> kwijt")
    _say(db, tenant.agent, case, "<script>alert('bestelling')</script> waar blijft het", clock.now())
    db.commit()
    api = Api(app_client, tenant.tokens["agent"])
    html = api.get("/search/suggest", params={"q": "bestellingen"}).text
    assert "<script>alert" not in html and "<b>Bestelling" not in html
    assert "&lt;b&gt;<mark>Bestelling</mark>&lt;/b&gt; kwijt" in html
    assert f'role="option" id="suggest-cases-1" aria-selected="false"><a href="/cases/{case.id}"' in html
    assert 'href="/search?q=bestellingen"' in html and "Alle resultaten voor" in html  # Dutch by default
    assert 'role="option"' not in api.get("/search/suggest", params={"q": "b"}).text  # too short yet
    nothing = api.get("/search/suggest", params={"q": "zzzqqq"}).text
    assert "Niets gevonden voor" in nothing
    page = api.get("/").text  # every page's box: a combobox that asks as you type, inside its GET form
    assert 'action="/search"' in page and 'hx-get="/search/suggest"' in page
    assert 'role="combobox"' in page and 'aria-controls="search-suggest"' in page


def test_operators_and_wildcards_are_text_in_the_suggestions_too(app_client, tenant):
    api = Api(app_client, tenant.tokens["agent"])
    for q in ['"or" AND *', "%_\\", "🙂🙂", "x" * 2000]:
        assert api.get("/search/suggest", params={"q": q}).status_code == 200
    assert api.get("/search/suggest", params={"q": "x" * 2001}).status_code == 422


def _canned(api, name, text):
    response = api.post("/api/v1/canned-replies", json={"name": name, "text_nl": text})
    assert response.status_code == 201, response.text
    return response.json()["id"]


def test_the_canned_reply_picker_suggests_while_typing_and_finds_without_javascript(
    app_client, tenant, other_tenant
):
    api = Api(app_client, tenant.tokens["agent"])
    callback = _canned(api, "Terugbellen <snel>", "We bellen u terug, {{customer.first_name}}.")
    _canned(api, "Retour", "Stuur het pakket terug met 50% korting")
    case = tenant.case.id
    html = api.get(f"/cases/{case}/canned-suggest", params={"canned_q": "bellen"}).text
    link = f'<a href="/cases/{case}?canned={callback}#reply" tabindex="-1">'
    assert link + "Terugbellen &lt;snel&gt;</a>" in html
    assert "Retour" not in html
    assert "Retour" in api.get(f"/cases/{case}/canned-suggest", params={"canned_q": "50%"}).text
    assert (
        "Geen standaardantwoord past bij"
        in api.get(f"/cases/{case}/canned-suggest", params={"canned_q": "5_%"}).text
    )
    other = other_tenant.case.id
    assert api.get(f"/cases/{other}/canned-suggest", params={"canned_q": "bellen"}).status_code == 404
    # Without JavaScript: "Find" narrows the picker's list; "Insert" fills the reply box as before.
    found = api.get(f"/cases/{case}", params={"canned_q": "retour", "find": "1"}).text
    picker = re.search(r'<select id="canned-pick".*?</select>', found, re.S)
    assert picker and "Retour" in picker.group(0) and "Terugbellen" not in picker.group(0)
    assert 'value="retour"' in found
    filled = api.get(f"/cases/{case}", params={"canned": callback}).text
    assert "We bellen u terug, Marieke." in unescape(filled)


def test_the_coachs_better_phrasing_is_saved_as_the_agents_own_canned_reply(app_client, api, tenant, clock):
    page = _sign_in(app_client, tenant.agent.email)
    ended_contact(api, tenant, clock, [("customer", "waar blijft mijn pakket"), ("agent", "Momentje.")])
    run_worker(app_client, clock)
    phrasing = api.get("/api/v1/coach/card").json()["better_phrasing"]
    html = page.get("/coach").text
    form = re.search(r'<form method="post" action="/replies" class="save-phrasing">(.*?)</form>', html, re.S)
    assert form and 'name="team_id"' not in form.group(1)  # an agent keeps it for themselves
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', form.group(1)))
    fields = {k: unescape(v) for k, v in fields.items()}
    assert fields["text_nl"] == phrasing and fields["csrf"] == page_csrf(page, "/coach")
    saved = page.post("/replies", data=fields, follow_redirects=False)
    assert saved.status_code == 303, saved.text
    [reply] = api.get("/api/v1/canned-replies").json()
    assert reply["text_nl"] == phrasing and reply["team_id"] is None and reply["name"] == fields["name"]


def test_a_lead_may_save_the_phrasing_for_their_team(app_client, db, tenant, clock):
    lead = Api(app_client, tenant.tokens["lead"])
    ended_contact(lead, tenant, clock, [("customer", "waar blijft mijn pakket"), ("agent", "Momentje.")])
    run_worker(app_client, clock)
    _with_password(db, tenant.lead)
    page = _sign_in(app_client, tenant.lead.email)
    html = page.get("/coach").text
    form = re.search(r'class="save-phrasing">(.*?)</form>', html, re.S)
    assert form and f'<option value="{tenant.team_id}">' in form.group(1)


def test_a_renamed_customer_is_found_by_a_part_of_the_new_name_and_number_only(api, tenant):
    changed = api.patch(
        f"/api/v1/customers/{tenant.customer.id}", json={"name": "Jolanda Bakker", "phone": "+31 6 87654321"}
    )
    assert changed.status_code == 200, changed.text
    found = api.get("/api/v1/search", params={"q": "olanda bak", "kind": "customers"}).json()["groups"][0]
    assert [hit["title"] for hit in found["items"]] == ["Jolanda Bakker"]
    old = api.get("/api/v1/search", params={"q": "arieke vis", "kind": "customers"}).json()["groups"][0]
    assert old["items"] == []
    by_phone = api.get("/api/v1/search", params={"q": "06-87654321", "kind": "customers"}).json()
    assert [hit["title"] for hit in by_phone["groups"][0]["items"]] == ["Jolanda Bakker"]
