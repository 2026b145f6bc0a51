"""The case queue in a real browser: a lead saves a shared view and opens it from the side menu; an agent
selects three cases and assigns them in one go."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_workspace import sign_in

LEAD = "daan@kopjekoffie.example"
VIEW = "Mijn ploeg — beloftes in gevaar"


@pytest.mark.browser
def test_a_lead_saves_a_team_view_and_opens_it_from_the_side_menu(page: Page):
    sign_in(page, LEAD)
    page.get_by_role("link", name="Zaken").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Zaken")
    filters = page.get_by_role("form", name="Filteren")
    filters.get_by_label("Team").select_option(label="Bestellingen & bezorging")
    filters.get_by_label("Belofte").select_option(label="in gevaar")
    filters.get_by_role("button", name="Filteren").click()
    expect(page).to_have_url(re.compile(r"promise=at_risk"))

    page.get_by_text("Opslaan als weergave").click()
    page.get_by_label("Naam van de weergave").fill(VIEW)
    page.get_by_label("Delen met").select_option(label="Bestellingen & bezorging")
    page.get_by_role("button", name="Weergave opslaan").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(VIEW)

    page.get_by_role("link", name="Mijn werk").click()
    page.get_by_role("link", name="Zaken").click()
    menu = page.get_by_role("navigation", name="Weergaven")
    menu.get_by_role("link", name=VIEW).click()
    expect(page).to_have_url(re.compile(r"/cases\?view="))
    expect(page.get_by_role("heading", level=1)).to_have_text(VIEW)
    expect(menu.get_by_role("link", name=VIEW)).to_have_attribute("aria-current", "page")
    # the demo's at-risk promise is on a case of the orders team: the view finds it, the menu counts it
    count = int(menu.locator("li", has_text=VIEW).locator(".count").inner_text())
    assert count >= 1
    expect(page.locator("table.queue tbody tr")).to_have_count(count)


@pytest.mark.browser
def test_an_agent_selects_three_cases_and_assigns_them(page: Page, server, api_token):
    customer_id = server.api("GET", "/api/v1/cases?limit=1", api_token)["items"][0]["customer_id"]
    subjects = [f"Samen toewijzen {i}" for i in range(3)]
    ids = [
        server.api("POST", "/api/v1/cases", api_token, {"customer_id": customer_id, "subject": s})["id"]
        for s in subjects
    ]
    sign_in(page)
    page.goto("/cases?sort=created")
    for subject in subjects:
        page.get_by_label(f"“{subject}” selecteren").check()
    bulk = page.locator("fieldset.bulk")
    bulk.get_by_label("Actie").select_option(label="Toewijzen aan eigenaar")
    bulk.get_by_label("Eigenaar").select_option(label="Daan Jansen")
    bulk.get_by_role("button", name="Uitvoeren").click()

    expect(page.get_by_role("status")).to_have_text("3 zaken gewijzigd.")
    page.goto("/cases?sort=created")  # the demo's history fills the default first page
    for case_id, subject in zip(ids, subjects, strict=True):
        row = page.locator("table.queue tr", has_text=subject)
        expect(row).to_contain_text("Daan Jansen")
        case = server.api("GET", f"/api/v1/cases/{case_id}", api_token)
        timeline = server.api("GET", f"/api/v1/cases/{case_id}/timeline", api_token)["items"]
        assert case["owner_id"] and [e["kind"] for e in timeline].count("case.assigned") == 1


@pytest.mark.browser
def test_an_agent_creates_a_case_for_a_new_customer(page: Page, server, api_token):
    sign_in(page)
    page.get_by_role("link", name="Zaken").click()
    page.get_by_role("link", name="Nieuwe zaak").click()
    page.get_by_label("Klant zoeken (naam, e-mailadres of telefoon)").fill("Anouk van Oosterwijk-Brandsma")
    page.locator("main").get_by_role("button", name="Zoeken").click()  # not the header's search
    expect(page.get_by_text("Geen klant gevonden; voeg de klant hieronder toe.")).to_be_visible()

    page.get_by_label("Naam", exact=True).fill("Anouk van Oosterwijk-Brandsma")
    page.get_by_label("E-mailadres", exact=True).fill("anouk.vob@example.nl")
    page.get_by_label("Kanaal").select_option(label="e-mail")
    page.get_by_label("Onderwerp").fill("Abonnement opzeggen")
    page.get_by_label("Wat de klant vraagt (in eigen woorden)").fill(
        "Ik wil mijn abonnement stoppen per 1 januari."
    )
    page.get_by_role("button", name="Open de zaak").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Abonnement opzeggen")
    expect(page.locator("section.customer")).to_contain_text("Anouk van Oosterwijk-Brandsma")
    expect(page.locator("ol.timeline")).to_contain_text("Ik wil mijn abonnement stoppen per 1 januari.")
    found = server.api("GET", "/api/v1/customers?q=anouk.vob@example.nl", api_token)["items"]
    assert [c["name"] for c in found] == [
        "Anouk van Oosterwijk-Brandsma"
    ]  # found by the whole address (it is masked)


@pytest.mark.browser
def test_an_agent_inserts_a_canned_reply_with_the_customers_name_and_the_promises_time(
    page: Page, server, api_token
):
    customer = server.api(
        "POST", "/api/v1/customers", api_token, {"name": "Sanne Mulder", "email": "sanne.mulder@example.nl"}
    )
    case = server.api(
        "POST", "/api/v1/cases", api_token, {"customer_id": customer["id"], "subject": "Terugbelverzoek"}
    )
    due = (datetime.now(UTC) + timedelta(minutes=90)).isoformat()  # the server runs on the real clock
    made = server.api(
        "POST", f"/api/v1/cases/{case['id']}/promises", api_token, {"kind": "callback", "due_at": due}
    )
    sign_in(page)
    page.goto("/replies")
    page.get_by_label("Naam", exact=True).fill("Ik bel u terug")
    page.get_by_label("In het Nederlands").fill(
        "Beste {{customer.first_name}}, ik bel u {{promise.due}} terug. Groet, {{agent.first_name}}"
    )
    page.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_text("Ik bel u terug")).to_be_visible()

    page.goto(f"/cases/{case['id']}")
    page.get_by_label("Standaardantwoord (typ om te zoeken)").select_option(label="Ik bel u terug")
    page.get_by_role("button", name="Invoegen").click()
    box = page.get_by_label("Bericht (gaat per e-mail)")
    expect(box).to_have_value(
        re.compile(r"^Beste Sanne, ik bel u (vandaag|morgen) \d{1,2}:\d{2} terug\. Groet, Fatima$")
    )
    assert made["state"] == "open"


@pytest.mark.browser
def test_an_agent_merges_two_cases_and_sees_one_timeline(page: Page, server, api_token):
    customer = server.api("POST", "/api/v1/customers", api_token, {"name": "Kees Bos"})
    first = server.api(
        "POST", "/api/v1/cases", api_token, {"customer_id": customer["id"], "subject": "Lekkende machine"}
    )
    second = server.api(
        "POST", "/api/v1/cases", api_token, {"customer_id": customer["id"], "subject": "Machine lekt nog"}
    )
    server.api(
        "POST",
        f"/api/v1/cases/{second['id']}/contacts",
        api_token,
        {"channel": "email", "messages": [{"speaker": "customer", "text": "Er ligt weer een plas water."}]},
    )
    sign_in(page)
    page.goto(f"/cases/{second['id']}")
    page.get_by_label("Deze zaak samenvoegen met").select_option(value=first["id"])
    page.get_by_role("button", name="Samenvoegen").click()

    expect(page).to_have_url(re.compile(f"/cases/{first['id']}"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Lekkende machine")
    timeline = page.locator("ol.timeline")
    expect(timeline).to_contain_text("Samengevoegd")
    expect(timeline).to_contain_text("Er ligt weer een plas water.")
    page.goto(f"/cases/{second['id']}")  # a link to the merged case lands on the kept one
    expect(page).to_have_url(re.compile(f"/cases/{first['id']}"))
