"""Automatic assignment per team: fewest open cases or round robin, skipping who cannot take work."""

from datetime import timedelta

import pytest

from tests.conftest import Api


@pytest.fixture
def lead(app_client, tenant):
    return Api(app_client, tenant.tokens["lead"])


def _present(api, agent_id, presence, until=None):
    body = {"presence": presence, **({"until": until.isoformat()} if until else {})}
    response = api.put(f"/api/v1/agents/{agent_id}/presence", json=body)
    assert response.status_code == 200, response.text


def _case(api, tenant, subject="Nieuw"):
    body = {"customer_id": str(tenant.customer.id), "subject": subject, "team_id": str(tenant.team_id)}
    response = api.post("/api/v1/cases", json=body)
    assert response.status_code == 201, response.text
    return response.json()


def _switch(lead, tenant, mode, margin=30):
    body = {"mode": mode, "shift_margin_minutes": margin}
    response = lead.put(f"/api/v1/teams/{tenant.team_id}/assignment", json=body)
    assert response.status_code == 200, response.text
    return response.json()


def test_off_by_default_and_cases_stay_with_the_team(admin_api, lead, tenant):
    _present(lead, tenant.lead.id, "available")
    assert lead.get(f"/api/v1/teams/{tenant.team_id}/assignment").json()["mode"] == "off"
    assert _case(admin_api, tenant)["owner_id"] is None


def test_fewest_open_cases_and_recorded_on_the_timeline(admin_api, lead, tenant):
    _present(lead, tenant.lead.id, "available")
    _present(lead, tenant.agent.id, "available")
    setting = _switch(lead, tenant, "fewest_open")
    assert {a["name"] for a in setting["available"]} == {tenant.lead.name, tenant.agent.name}
    owners = [_case(admin_api, tenant, f"Zaak {i}")["owner_id"] for i in range(4)]
    assert sorted(owners) == sorted([str(tenant.lead.id), str(tenant.agent.id)] * 2)  # spread evenly
    events = admin_api.get(
        f"/api/v1/cases/{admin_api.get('/api/v1/cases').json()['items'][0]['id']}/timeline"
    )
    auto = [e for e in events.json()["items"] if e["kind"] == "case.auto_assigned"]
    assert len(auto) == 1 and auto[0]["data"]["mode"] == "fewest_open" and auto[0]["actor_id"] is None


def test_round_robin_takes_turns(admin_api, lead, tenant):
    _present(lead, tenant.lead.id, "available")
    _present(lead, tenant.agent.id, "available")
    _switch(lead, tenant, "round_robin")
    owners = [_case(admin_api, tenant, f"Zaak {i}")["owner_id"] for i in range(4)]
    assert owners[0] != owners[1] and owners[0] == owners[2] and owners[1] == owners[3]


def test_away_offline_and_shifts_ending_soon_are_skipped(admin_api, lead, tenant, clock):
    _switch(lead, tenant, "fewest_open", margin=30)
    _present(lead, tenant.lead.id, "away")
    assert _case(admin_api, tenant)["owner_id"] is None  # the agent is offline, the lead away: nobody
    _present(lead, tenant.agent.id, "available", until=clock.now() + timedelta(minutes=20))
    assert _case(admin_api, tenant)["owner_id"] is None  # their shift ends within 30 minutes
    _present(lead, tenant.agent.id, "available", until=clock.now() + timedelta(hours=3))
    assert _case(admin_api, tenant)["owner_id"] == str(tenant.agent.id)


def test_an_owner_going_offline_hands_their_cases_to_a_colleague(admin_api, lead, tenant):
    _present(lead, tenant.lead.id, "available")
    _present(lead, tenant.agent.id, "available")
    _switch(lead, tenant, "round_robin")
    mine = [
        c
        for c in (_case(admin_api, tenant, f"Zaak {i}") for i in range(2))
        if c["owner_id"] == str(tenant.agent.id)
    ]
    assert len(mine) == 1
    _present(lead, tenant.agent.id, "away")
    assert admin_api.get(f"/api/v1/cases/{mine[0]['id']}").json()["owner_id"] == str(tenant.agent.id)
    _present(lead, tenant.agent.id, "offline")
    assert admin_api.get(f"/api/v1/cases/{mine[0]['id']}").json()["owner_id"] == str(tenant.lead.id)
    events = admin_api.get(f"/api/v1/cases/{mine[0]['id']}/timeline").json()["items"]
    returned = [e["data"] for e in events if e["kind"] == "case.auto_assigned"][-1]
    assert returned["from"] == str(tenant.agent.id) and returned["to"] == str(tenant.lead.id)


def test_only_the_teams_leads_and_admins_change_it(app_client, api, tenant, other_tenant):
    assert (
        api.put(f"/api/v1/teams/{tenant.team_id}/assignment", json={"mode": "round_robin"}).status_code == 403
    )
    lead = Api(app_client, tenant.tokens["lead"])
    other_team = lead.put(f"/api/v1/teams/{tenant.other_team_id}/assignment", json={"mode": "round_robin"})
    assert other_team.status_code == 403
    bad = lead.put(f"/api/v1/teams/{tenant.team_id}/assignment", json={"mode": "random"})
    assert bad.status_code == 422
    theirs = Api(app_client, other_tenant.tokens["admin"])
    assert theirs.put(f"/api/v1/teams/{tenant.team_id}/assignment", json={"mode": "off"}).status_code == 404


def test_a_lead_sees_and_changes_it_on_the_team_view(app_client, lead, tenant):
    _present(lead, tenant.agent.id, "available")
    html = lead.get("/team").text
    assert "Automatisch toewijzen" in html and "het team zelf (uit)" in html
    csrf = app_client.cookies.get("attent_csrf")
    form = {"mode": "round_robin", "shift_margin_minutes": "45", "csrf": csrf}
    saved = lead.post(f"/team/assignment/{tenant.team_id}", data=form, follow_redirects=False)
    assert saved.status_code == 303 and saved.headers["location"] == "/team#assignment"
    setting = lead.get(f"/api/v1/teams/{tenant.team_id}/assignment").json()
    assert (setting["mode"], setting["shift_margin_minutes"]) == ("round_robin", 45)
    assert f"{tenant.agent.name} (0 open zaken)" in lead.get("/team").text
    refused = lead.post(f"/team/assignment/{tenant.team_id}", data={**form, "shift_margin_minutes": "9999"})
    assert refused.status_code == 422 and "De marge ligt tussen 0 en 720 minuten." in refused.text
