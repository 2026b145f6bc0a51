"""The case list page as a queue: filters, saved views in the side menu, bulk actions, in Dutch."""

import re
from html import unescape

import pytest
from sqlalchemy import event

from attent.cases.schemas import CaseCreate
from attent.cases.service import create_case
from tests.conftest import Api

SUBJECT = re.compile(r'<a class="subject" href="/cases/[^"]+">([^<]*)</a>')


def _subjects(html: str) -> list[str]:
    return [unescape(s) for s in SUBJECT.findall(html)]


@pytest.fixture
def make_cases(db, tenant, clock):
    def make(n, prefix="Zaak", **extra):
        made = []
        for i in range(n):
            data = CaseCreate(
                customer_id=tenant.customer.id, subject=f"{prefix} {i}", team_id=tenant.team_id, **extra
            )
            made.append(create_case(db=db, actor=tenant.agent, data=data, at=clock.now()))
        db.commit()
        return made

    return make


@pytest.fixture
def agent(app_client, tenant):
    """The tenant's agent in the browser's place: the page, then its CSRF token for the forms."""
    client = Api(app_client, tenant.tokens["agent"])
    client.get("/cases")
    return client


def _csrf(app_client) -> str:
    return app_client.cookies.get("attent_csrf")


def test_the_queue_in_dutch_with_its_columns_and_no_raw_codes(agent, tenant, make_cases):
    make_cases(2, priority="urgent")
    html = agent.get("/cases", params={"priority": "urgent"}).text
    assert "<h1>Zaken</h1>" in html and "2 zaken" in html
    assert set(_subjects(html)) == {"Zaak 0", "Zaak 1"}
    for heading in ("Kenmerk", "Onderwerp", "Klant", "Team", "Eigenaar", "Status", "Eerstvolgende belofte"):
        assert f">{heading}</th>" in html
    assert "Marieke Visser" in html
    for raw in ("promise_at_risk", "bulk_assign", "sort_waiting", ">urgent<", "waiting_on_customer<"):
        assert raw not in html


def test_a_bad_filter_is_said_in_place_not_a_crash(agent):
    response = agent.get("/cases", params={"promise": "ooit", "waiting_over": "x"})
    assert response.status_code == 422
    assert "Onbekende waarde “ooit”." in unescape(response.text)


def test_save_a_view_and_open_it_from_the_side_menu(app_client, agent, tenant, make_cases):
    make_cases(2, prefix="Dringend", priority="urgent")
    make_cases(1, prefix="Gewoon")
    saved = agent.post(
        "/views",
        data={"name": "Dringende zaken", "back": "priority=urgent&sort=waiting", "csrf": _csrf(app_client)},
        follow_redirects=False,
    )
    assert saved.status_code == 303 and saved.headers["location"].startswith("/cases?view=")
    html = agent.get(saved.headers["location"]).text
    assert "<h1>Dringende zaken</h1>" in html
    assert set(_subjects(html)) == {"Dringend 0", "Dringend 1"}
    menu = re.search(r'<nav class="side-menu".*?</nav>', html, re.S).group(0)
    assert "Dringende zaken" in menu and 'aria-current="page"' in menu and ">2</span>" in menu
    again = agent.post("/views", data={"name": "dringende zaken", "back": "", "csrf": _csrf(app_client)})
    assert again.status_code == 409 and "Er is al een weergave" in unescape(again.text)


def test_select_three_cases_and_assign_them(app_client, agent, db, tenant, make_cases):
    cases = make_cases(3)
    data = {
        "case_id": [str(c.id) for c in cases],
        "action": "assign",
        "owner_id": str(tenant.lead.id),
        "back": "sort=created",
        "csrf": _csrf(app_client),
    }
    done = agent.post("/cases/bulk", data=data, follow_redirects=False)
    assert done.status_code == 303 and "changed=3" in done.headers["location"]
    assert "3 zaken gewijzigd." in agent.get(done.headers["location"]).text
    db.expire_all()
    assert {db.get(type(c), (c.organisation_id, c.id)).owner_id for c in cases} == {tenant.lead.id}


def test_a_refused_batch_lists_each_case_with_its_reason_and_changes_nothing(
    app_client, agent, db, make_cases
):
    cases = make_cases(2)
    data = {
        "case_id": [str(c.id) for c in cases],
        "action": "status",
        "status": "closed",
        "csrf": _csrf(app_client),
    }
    refused = agent.post("/cases/bulk", data=data)
    assert refused.status_code == 409
    html = unescape(refused.text)
    assert "2 van de geselecteerde zaken konden niet; er is niets gewijzigd." in html
    assert all(f"<strong>{c.subject}</strong>" in html for c in cases)
    db.expire_all()
    assert {db.get(type(c), (c.organisation_id, c.id)).status.value for c in cases} == {"new"}


@pytest.fixture
def statements(database):
    seen: list[str] = []

    def count(conn, cursor, statement, *args):
        seen.append(statement)

    event.listen(database.engine, "before_cursor_execute", count)
    yield seen
    event.remove(database.engine, "before_cursor_execute", count)


def test_the_view_page_costs_the_same_queries_however_many_cases(
    app_client, agent, tenant, make_cases, statements
):
    agent.post("/views", data={"name": "Alles", "back": "", "csrf": _csrf(app_client)})

    def cost() -> int:
        statements.clear()
        assert agent.get("/cases", params={"sort": "waiting"}).status_code == 200
        return len(statements)

    make_cases(3)
    few = cost()
    for i in range(3):
        agent.post(f"/api/v1/cases/{tenant.case.id}/tags", json={"name": f"label {i}"})
    make_cases(30)
    assert cost() == few


def test_the_case_page_shows_adds_and_removes_tags(app_client, agent, tenant):
    page = f"/cases/{tenant.case.id}"
    added = agent.post(
        f"{page}/tags", data={"name": "Retour", "csrf": _csrf(app_client)}, follow_redirects=False
    )
    assert added.status_code == 303 and added.headers["location"] == f"{page}#tags"
    html = agent.get(page).text
    assert '<span class="tag">retour</span>' in html and "Label toegevoegd" in html
    tag_id = re.search(r"/tags/([0-9a-f-]{36})/remove", html).group(1)
    too_long = agent.post(f"{page}/tags", data={"name": "x" * 41, "csrf": _csrf(app_client)})
    assert too_long.status_code == 422 and "Een label heeft hoogstens 40 tekens." in unescape(too_long.text)
    removed = agent.post(
        f"{page}/tags/{tag_id}/remove", data={"csrf": _csrf(app_client)}, follow_redirects=False
    )
    assert removed.status_code == 303
    html = agent.get(page).text
    assert '<span class="tag">retour</span>' not in html and "Label verwijderd" in html
