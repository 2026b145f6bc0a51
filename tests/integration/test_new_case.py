"""Create and edit in the web app: a new case (the customer found or added inline), a case's details."""

import re
from html import unescape

import pytest

from attent.cases.models import Case
from attent.contacts.models import Contact
from attent.customers.models import Customer
from tests.conftest import Api


@pytest.fixture
def agent(app_client, tenant):
    client = Api(app_client, tenant.tokens["agent"])
    client.get("/cases/new")
    return client


def _csrf(app_client) -> str:
    return app_client.cookies.get("attent_csrf")


def test_a_new_case_for_a_new_customer_with_its_first_message(app_client, agent, db, tenant):
    form = {
        "name": "Joris de Boer", "email": "Joris@Example.nl", "channel": "phone",
        "subject": "Machine lekt", "message": "Mijn machine lekt water.", "type": "machine_fault",
        "priority": "high", "csrf": _csrf(app_client),
    }  # fmt: skip
    opened = agent.post("/cases/new", data=form, follow_redirects=False)
    assert opened.status_code == 303, opened.text
    case_id = opened.headers["location"].rsplit("/", 1)[-1]
    db.expire_all()
    case = (
        db.query(Case)
        .filter(Case.organisation_id == tenant.organisation_id, Case.subject == "Machine lekt")
        .one()
    )
    assert str(case.id) == case_id and case.priority.value == "high" and case.type == "machine_fault"
    assert case.team_id == tenant.team_id  # no team chosen: the default team
    customer = db.get(Customer, (tenant.organisation_id, case.customer_id))
    assert customer.name == "Joris de Boer" and customer.email == "joris@example.nl"
    [contact] = db.query(Contact).filter(
        Contact.organisation_id == tenant.organisation_id, Contact.case_id == case.id
    )
    assert contact.channel.value == "phone"
    page = agent.get(opened.headers["location"]).text
    assert "Mijn machine lekt water." in page


def test_find_an_existing_customer_and_open_a_case_for_them(app_client, agent, db, tenant):
    found = agent.get("/cases/new", params={"find": "marieke"}).text
    link = re.search(r'href="(/cases/new\?customer=[0-9a-f-]+)">Marieke Visser</a>', found)
    assert link, found
    chosen = agent.get(link.group(1)).text
    assert f'name="customer_id" value="{tenant.customer.id}"' in chosen
    form = {
        "customer_id": str(tenant.customer.id),
        "channel": "email",
        "subject": "Nog een vraag",
        "csrf": _csrf(app_client),
    }
    assert agent.post("/cases/new", data=form, follow_redirects=False).status_code == 303
    assert db.query(Customer).filter(Customer.organisation_id == tenant.organisation_id).count() == 1


def test_a_refused_new_case_names_its_fields_in_dutch_and_keeps_what_was_typed(app_client, agent, db, tenant):
    form = {
        "name": "",
        "email": "geen-adres",
        "channel": "phone",
        "subject": "Hallo",
        "csrf": _csrf(app_client),
    }
    refused = agent.post("/cases/new", data=form)
    assert refused.status_code == 422
    html = unescape(refused.text)
    assert "Naam:" in html and "E-mailadres:" in html
    assert 'value="Hallo"' in html
    assert (
        db.query(Case).filter(Case.organisation_id == tenant.organisation_id, Case.subject == "Hallo").count()
        == 0
    )


def test_another_organisations_customer_cannot_be_chosen(app_client, agent, other_tenant):
    form = {
        "customer_id": str(other_tenant.customer.id),
        "channel": "phone",
        "subject": "x",
        "csrf": _csrf(app_client),
    }
    assert agent.post("/cases/new", data=form).status_code == 404


def test_edit_a_cases_type_priority_team_and_owner_on_its_page(app_client, agent, db, tenant):
    page = f"/cases/{tenant.case.id}"
    html = agent.get(page).text
    details = re.search(r'<section class="card" id="details".*?</section>', html, re.S).group(0)
    assert ">Beschadigd geleverd</option>" in details and ">damaged<" not in details  # names, no codes
    form = {
        "type": "damaged", "priority": "urgent", "team_id": str(tenant.other_team_id),
        "owner_id": str(tenant.agent.id), "csrf": _csrf(app_client),
    }  # fmt: skip
    saved = agent.post(f"{page}/details", data=form, follow_redirects=False)
    assert saved.status_code == 303, saved.text
    db.expire_all()
    case = db.get(Case, (tenant.organisation_id, tenant.case.id))
    assert (case.type, case.priority.value, case.team_id, case.owner_id) == (
        "damaged",
        "urgent",
        tenant.other_team_id,
        tenant.agent.id,
    )
    kinds = [e["kind"] for e in agent.get(f"/api/v1/cases/{case.id}/timeline").json()["items"]]
    assert {"case.updated", "case.priority_changed", "case.team_changed", "case.assigned"} <= set(kinds)
    bad = agent.post(f"{page}/details", data={**form, "priority": "enorm"})
    assert bad.status_code == 422 and "Prioriteit:" in unescape(bad.text)


def test_edit_a_customer_on_their_page(app_client, agent, db, tenant):
    page = f"/customers/{tenant.customer.id}"
    html = unescape(agent.get(page).text)
    assert "shop: C-1042" in html  # references listed as lines, ready to edit
    form = {
        "name": "Marieke Visser-de Jong", "email": "marieke@nieuw.example", "phone": "+31 6 1234 5678",
        "language": "en", "refs": "shop: C-2000\nboeking: B-77", "facts": "koffie: zwart | aan de telefoon",
        "csrf": _csrf(app_client),
    }  # fmt: skip
    saved = agent.post(f"{page}/edit", data=form, follow_redirects=False)
    assert saved.status_code == 303, saved.text
    db.expire_all()
    customer = db.get(Customer, (tenant.organisation_id, tenant.customer.id))
    assert (customer.name, customer.email, customer.language) == (
        "Marieke Visser-de Jong",
        "marieke@nieuw.example",
        "en",
    )
    assert (
        customer.facts["koffie"]["value"] == "zwart"
        and customer.facts["koffie"]["consent"] == "aan de telefoon"
    )
    refs = agent.get(f"/api/v1/customers/{customer.id}").json()["external_refs"]
    assert refs == {"shop": "C-2000", "boeking": "B-77"}
    removed = agent.post(f"{page}/edit", data={**form, "refs": "shop: C-2000"}, follow_redirects=False)
    assert removed.status_code == 303
    assert agent.get(f"/api/v1/customers/{customer.id}").json()["external_refs"] == {"shop": "C-2000"}


def test_a_refused_customer_edit_says_why_in_place_and_changes_nothing(app_client, agent, db, tenant):
    page = f"/customers/{tenant.customer.id}"
    form = {
        "name": "",
        "email": "geen",
        "language": "nl",
        "refs": "zonder dubbele punt",
        "csrf": _csrf(app_client),
    }
    refused = agent.post(f"{page}/edit", data=form)
    assert refused.status_code == 422
    assert "Regel 1 staat niet in de vorm “wat: waarde”." in unescape(refused.text)
    refused = agent.post(f"{page}/edit", data={**form, "refs": ""})
    assert refused.status_code == 422 and "Naam:" in unescape(refused.text)
    db.expire_all()
    assert db.get(Customer, (tenant.organisation_id, tenant.customer.id)).name == "Marieke Visser"
