"""/insight: leads see their teams' figures with a trend and a table behind each chart, agents only
their own, in Dutch and English; bad custom days are said in place; each table downloads as CSV."""

import csv
import io
import re
from datetime import timedelta
from html import unescape

from attent.core.security import hash_password
from tests.conftest import START, page_csrf
from tests.integration.test_insight import Story


def _sign_in(client, db, agent):
    agent.password_hash = hash_password("correct horse battery")
    db.commit()
    client.get("/signin")
    csrf = client.cookies.get("attent_csrf")
    response = client.post(
        "/signin",
        data={"email": agent.email, "password": "correct horse battery", "csrf": csrf},
        follow_redirects=False,
    )
    assert response.status_code == 303
    client.csrf = page_csrf(client)
    return client


def _week_of_cases(db, tenant):
    story = Story(db, tenant)
    for offset, owner in (
        (7, tenant.agent),
        (6, tenant.lead),
        (14, tenant.agent),
    ):  # two last week, one before
        at = START - timedelta(days=offset)
        case = story.case(at, owner=owner)
        story.contact(case, at)
        story.resolve(case, at + timedelta(hours=1))
    db.commit()


def test_a_lead_sees_last_week_against_the_week_before(db, app_client, tenant):
    _week_of_cases(db, tenant)
    page = _sign_in(app_client, db, tenant.lead)
    response = page.get("/insight")
    assert response.status_code == 200
    html = unescape(response.text)
    assert "16-11-2026 tot 22-11-2026" in html and "09-11-2026 tot 15-11-2026" in html
    assert 'data-figure="fcr_share">100,0%' in html  # a Dutch decimal comma
    assert "Eerstecontactoplossing" in html and "Handle time" not in html
    assert html.count('class="chart"') == 6 and html.count("<table") == 6
    assert 'href="/recovery/outcomes"' in html
    english = page.post(
        "/me/language", data={"lang": "en", "csrf": page.csrf, "next": "/insight"}, follow_redirects=True
    )
    assert "First-contact resolution" in english.text and "Eerstecontactoplossing" not in english.text


def test_an_agent_sees_only_their_own_figures(db, app_client, tenant):
    _week_of_cases(db, tenant)
    tenant.agent.password_hash = None
    page = _sign_in(app_client, db, tenant.agent)
    html = unescape(page.get("/insight").text)
    assert "Jouw cijfers" in html or "Uw cijfers" in html
    assert 'id="team_id"' not in html
    csv_text = page.get("/insight/fcr.csv", params={"period": "week", "group_by": "agent"}).text
    rows = list(csv.reader(io.StringIO(csv_text.lstrip("\ufeff")), delimiter=";"))
    assert [r[1] for r in rows[1:-1]] == ["Agent kopje-koffie"] and rows[-1][2] == "1"


def test_bad_custom_days_are_said_in_place(db, app_client, tenant):
    page = _sign_in(app_client, db, tenant.lead)
    response = page.get("/insight", params={"period": "custom", "since": "2026-11-20", "until": "2026-11-01"})
    assert response.status_code == 422
    assert "De periode eindigt voordat ze begint." in unescape(response.text)
    century = page.get("/insight", params={"period": "custom", "since": "1990-01-01", "until": "2089-01-01"})
    assert century.status_code == 422 and "hoogstens 400 dagen" in unescape(century.text)
    assert re.search(r'<select id="period"', century.text)
