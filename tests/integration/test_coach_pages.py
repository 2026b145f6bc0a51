"""The coach in the workspace: the scorecard and proposals on the case page, the agent's card, the
leads' team view with trends, and the admins' setting; customer text always escaped."""

import pytest

from tests.conftest import Api
from tests.integration.test_coach_scoring import ended_contact, run_worker
from tests.integration.test_recovery_pages import _sign_in, _with_password

HOSTILE = [
    ("customer", "<script>alert(1)</script> mijn pakket is nooit aangekomen"),
    ("agent", "Wat vervelend. Ik bel u binnen een kwartier terug. Kan ik u verder nog ergens mee helpen?"),
]


@pytest.fixture
def page(app_client, tenant):
    """Signed in as the tenant's agent."""
    return _sign_in(app_client, tenant.agent.email)


def test_the_case_page_shows_the_scorecard_and_accepts_a_heard_promise(page, api, app_client, tenant, clock):
    ended_contact(api, tenant, clock, HOSTILE)
    html = page.get(f"/cases/{tenant.case.id}").text
    assert "Nog geen contact van deze zaak is gescoord." in html
    run_worker(app_client, clock)
    html = page.get(f"/cases/{tenant.case.id}").text
    assert 'id="coach"' in html and "Beloftes gehoord in het gesprek" in html
    assert "Checkt of alles beantwoord is" in html and "Gesprek gescoord door de coach" in html
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    [proposal] = api.get(f"/api/v1/coach/cases/{tenant.case.id}/proposals").json()["items"]
    response = page.post(
        f"/cases/{tenant.case.id}/coach/proposals/{proposal['id']}/accept",
        data={"csrf": page.csrf},
        follow_redirects=False,
    )
    assert response.status_code == 303 and response.headers["location"].endswith("#coach")
    [promise] = api.get("/api/v1/promises", params={"case_id": str(tenant.case.id)}).json()["items"]
    assert promise["kind"] == "callback" and promise["source"] == "coach"
    again = page.post(
        f"/cases/{tenant.case.id}/coach/proposals/{proposal['id']}/dismiss", data={"csrf": page.csrf}
    )
    assert again.status_code == 409 and "al beslist (overgenomen)" in again.text
    no_token = page.post(f"/cases/{tenant.case.id}/coach/proposals/{proposal['id']}/dismiss", data={})
    assert no_token.status_code == 403


def test_the_agents_card_names_one_behaviour_with_their_own_words_and_a_better_phrasing(
    page, api, app_client, tenant, clock
):
    assert "Nog geen van je contacten" in page.get("/coach").text
    ended_contact(api, tenant, clock, [("customer", "waar blijft mijn pakket"), ("agent", "Momentje.")])
    run_worker(app_client, clock)
    card = api.get("/api/v1/coach/card").json()
    assert card["behaviour"] is not None and card["missed"] >= 1 and card["contacts"] == 1
    assert card["missed_line"]["quote"] == "Momentje." and card["missed_line"]["case_id"] == str(
        tenant.case.id
    )
    html = page.get("/coach").text
    assert "Jouw kleine detail van vandaag" in html and "Momentje." in html
    assert card["better_phrasing"] in html  # the Dutch rule book's phrasing for a Dutch-speaking agent
    assert f'href="/cases/{tenant.case.id}#coach"' in html
    assert (
        '<a href="/coach" aria-current="page">' in html and 'href="/coach/team"' not in html
    )  # agents: no team view


def test_leads_see_their_teams_trends_agents_get_403_and_other_teams_404(
    db, app_client, api, tenant, other_tenant, clock
):
    ended_contact(api, tenant, clock)
    run_worker(app_client, clock)
    lead = Api(app_client, tenant.tokens["lead"])
    body = lead.get("/api/v1/coach/team", params={"team_id": str(tenant.team_id)}).json()
    assert len(body["weeks"]) == 8 and body["weeks"][-1] == "2026-W48"
    explains = body["trends"]["explains_why"]
    assert explains[-1] == {"week": "2026-W48", "met": 1, "applicable": 1, "share": 1.0}
    assert explains[0]["share"] is None
    assert {a["name"] for a in body["agents"]} >= {tenant.agent.name}
    assert api.get("/api/v1/coach/team", params={"team_id": str(tenant.team_id)}).status_code == 403
    assert lead.get("/api/v1/coach/team", params={"team_id": str(tenant.other_team_id)}).status_code == 404
    intruder = Api(app_client, other_tenant.tokens["admin"])
    assert intruder.get("/api/v1/coach/team", params={"team_id": str(tenant.team_id)}).status_code == 404
    assert lead.get("/api/v1/coach/team", params={"team_id": "nope"}).status_code == 422

    _with_password(db, tenant.lead)
    page = _sign_in(app_client, tenant.lead.email)
    html = page.get("/coach/team").text
    assert "Teamcoaching" in html and "2026-W48" in html and "100%" in html
    assert '<label for="coach-team">' in html and 'href="/coach/team"' in html


def test_admins_switch_automatic_promises_on_the_settings_page(app_client, db, tenant):
    _with_password(db, tenant.admin)
    page = _sign_in(app_client, tenant.admin.email)
    html = page.get("/admin/coach").text
    assert "Meteen maken" in html and 'href="/admin/coach"' in html
    response = page.post(
        "/admin/coach", data={"csrf": page.csrf, "auto_promises": "true"}, follow_redirects=False
    )
    assert response.status_code == 303
    assert Api(app_client, tenant.tokens["agent"]).get("/api/v1/coach/settings").json() == {
        "auto_promises": True
    }
    assert " checked" in page.get("/admin/coach").text


def test_the_demo_is_scored_so_the_coach_pages_have_something_to_show(db, clock):
    from sqlalchemy import select

    from attent.agents.models import Agent
    from attent.coach.cards import coachable_teams, coaching_card, team_coaching
    from attent.demo import load_demo

    load_demo(db=db, now=clock.now())
    db.commit()
    fatima = db.scalar(select(Agent).where(Agent.email == "fatima@kopjekoffie.example"))
    card = coaching_card(db=db, agent=fatima, at=clock.now())
    assert card.behaviour is not None and card.missed_line is not None and card.better_phrasing
    daan = db.scalar(select(Agent).where(Agent.email == "daan@kopjekoffie.example"))
    [orders] = coachable_teams(db=db, actor=daan)
    closing = team_coaching(db=db, actor=daan, team_id=orders.id, at=clock.now()).trends["closing_check"]
    assert closing[0].week == "2026-W41"
    assert closing[0].share == 0.0 and closing[4].share == 1.0  # they learnt to ask before ending
