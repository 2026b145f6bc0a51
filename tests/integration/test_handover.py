"""Nobody is left waiting because someone went home; leads hear of promises at risk and broken."""

from datetime import timedelta

from attent.agents.jobs import end_shifts
from attent.agents.models import Role
from attent.agents.schemas import AgentCreate
from attent.agents.service import create_agent
from attent.core.settings import Settings
from attent.promises.jobs import advance_due_promises
from tests.conftest import Api


def _callback(api, case_id, clock, minutes=30):
    due = clock.now() + timedelta(minutes=minutes)
    response = api.post(
        f"/api/v1/cases/{case_id}/promises", json={"kind": "callback", "due_at": due.isoformat()}
    )
    assert response.status_code == 201, response.text
    return response.json(), due


def _presence(api, agent_id, presence):
    assert api.put(f"/api/v1/agents/{agent_id}/presence", json={"presence": presence}).status_code == 200


def _kinds(api, case_id):
    return [
        e["kind"]
        for e in api.get(f"/api/v1/cases/{case_id}/timeline").json()["items"]
        if e["kind"].startswith("promise.")
    ]


def _teammate(db, tenant, clock, name):
    data = AgentCreate(
        email=f"{name.lower()}@example.com", name=name, role=Role.AGENT, team_ids=[tenant.team_id]
    )
    mate = create_agent(
        db=db, actor=tenant.admin, organisation_id=tenant.organisation_id, at=clock.now(), data=data
    )
    db.commit()
    return mate


def test_going_home_offers_the_promise_and_the_worker_hands_it_to_an_available_teammate(
    app_client, tenant, clock, db, database
):
    agent = Api(app_client, tenant.tokens["agent"])
    _presence(agent, tenant.agent.id, "available")
    promise, due = _callback(agent, tenant.case.id, clock)
    busy, free = _teammate(db, tenant, clock, "Busy"), _teammate(db, tenant, clock, "Free")
    lead = Api(app_client, tenant.tokens["lead"])
    for mate in (busy, free):
        _presence(lead, mate.id, "available")
    _callback(lead, tenant.case.id, clock, minutes=300)  # the lead's own, not relevant
    lead.post(
        f"/api/v1/cases/{tenant.case.id}/promises",
        json={"kind": "other", "due_at": (due + timedelta(hours=5)).isoformat(), "owner_id": str(busy.id)},
    )

    _presence(agent, tenant.agent.id, "offline")  # the end of the shift
    assert _kinds(agent, tenant.case.id)[-1] == "promise.offered"
    assert agent.get(f"/api/v1/promises/{promise['id']}").json()["owner_id"] == str(tenant.agent.id)

    clock.set(due - timedelta(minutes=5))  # nobody took it before it turned at risk
    advance_due_promises(database=database, now=clock.now())
    moved = agent.get(f"/api/v1/promises/{promise['id']}").json()
    assert moved["owner_id"] == str(free.id), "the available teammate with the fewest open promises"
    assert moved["at_risk"] is True
    brief = agent.get(f"/api/v1/cases/{tenant.case.id}/brief", params={"lang": "en"}).json()
    assert any(p["owner_name"] == "Free" for p in brief["open_promises"])


def test_a_teammate_who_takes_the_offer_keeps_it(app_client, tenant, clock, db, database):
    agent = Api(app_client, tenant.tokens["agent"])
    promise, due = _callback(agent, tenant.case.id, clock)
    _presence(agent, tenant.agent.id, "away")
    lead = Api(app_client, tenant.tokens["lead"])
    lead.post(f"/api/v1/promises/{promise['id']}/reassign", json={"owner_id": str(tenant.lead.id)})
    _presence(lead, tenant.lead.id, "available")
    clock.set(due - timedelta(minutes=5))
    advance_due_promises(database=database, now=clock.now())
    assert agent.get(f"/api/v1/promises/{promise['id']}").json()["owner_id"] == str(tenant.lead.id)


def test_an_owner_who_is_available_keeps_the_promise(app_client, tenant, clock, db, database):
    agent = Api(app_client, tenant.tokens["agent"])
    _presence(agent, tenant.agent.id, "available")
    _teammate(db, tenant, clock, "Other")
    promise, due = _callback(agent, tenant.case.id, clock)
    clock.set(due - timedelta(minutes=5))
    advance_due_promises(database=database, now=clock.now())
    assert agent.get(f"/api/v1/promises/{promise['id']}").json()["owner_id"] == str(tenant.agent.id)


def test_leads_are_told_who_what_and_since_when(app_client, tenant, clock, database):
    agent = Api(app_client, tenant.tokens["agent"])
    promise, due = _callback(agent, tenant.case.id, clock)
    clock.set(due - timedelta(minutes=5))
    advance_due_promises(database=database, now=clock.now())
    clock.set(due + timedelta(minutes=6))
    advance_due_promises(database=database, now=clock.now())
    lead = Api(app_client, tenant.tokens["lead"])
    inbox = lead.get("/api/v1/notifications").json()["items"]
    assert [n["kind"] for n in inbox] == ["promise.broken", "promise.at_risk"]
    at_risk = inbox[1]
    assert at_risk["case_id"] == str(tenant.case.id) and at_risk["data"]["promise_id"] == promise["id"]
    assert at_risk["data"]["owner_name"] == tenant.agent.name
    assert at_risk["data"]["since"] == (due - timedelta(minutes=5)).isoformat()
    assert agent.get("/api/v1/notifications").json()["items"] == []  # the agent is no lead
    read = lead.post(f"/api/v1/notifications/{at_risk['id']}/read").json()
    assert read["read_at"] is not None
    assert [
        n["kind"] for n in lead.get("/api/v1/notifications", params={"unread": "true"}).json()["items"]
    ] == ["promise.broken"]
    assert agent.post(f"/api/v1/notifications/{at_risk['id']}/read").status_code == 404


def test_a_shift_that_ends_before_the_due_time_offers_the_promise_at_once(
    app_client, tenant, clock, database
):
    agent = Api(app_client, tenant.tokens["agent"])
    early, _ = _callback(agent, tenant.case.id, clock, minutes=60)
    late, _ = _callback(agent, tenant.case.id, clock, minutes=240)
    until = clock.now() + timedelta(hours=2)
    response = agent.put(
        f"/api/v1/agents/{tenant.agent.id}/presence",
        json={"presence": "available", "until": until.isoformat()},
    )
    assert response.status_code == 200 and response.json()["available_until"] == until.isoformat().replace(
        "+00:00", "Z"
    )
    offered = [
        e["data"]
        for e in agent.get(f"/api/v1/cases/{tenant.case.id}/timeline").json()["items"]
        if e["kind"] == "promise.offered"
    ]
    assert [o["promise_id"] for o in offered] == [late["id"]], "only what falls after the shift"
    assert offered[0]["available_until"] == until.isoformat()

    later, _ = _callback(agent, tenant.case.id, clock, minutes=180)  # made after saying so: offered too
    assert _kinds(agent, tenant.case.id)[-1] == "promise.offered"
    assert agent.get(f"/api/v1/promises/{later['id']}").json()["owner_id"] == str(tenant.agent.id)
    assert early["id"] not in [o["promise_id"] for o in offered]


def test_the_worker_ends_a_shift_that_ran_out_and_offers_what_is_left(app_client, tenant, clock, database):
    agent = Api(app_client, tenant.tokens["agent"])
    until = clock.now() + timedelta(minutes=30)
    agent.put(
        f"/api/v1/agents/{tenant.agent.id}/presence",
        json={"presence": "available", "until": until.isoformat()},
    )
    _callback(agent, tenant.case.id, clock, minutes=20)  # due inside the shift: not offered
    assert "promise.offered" not in _kinds(agent, tenant.case.id)
    clock.set(until)
    assert end_shifts(database=database, now=clock.now(), limit=100, settings=Settings()) == 1
    me = agent.get(f"/api/v1/agents/{tenant.agent.id}").json()
    assert me["presence"] == "offline" and me["available_until"] is None
    assert _kinds(agent, tenant.case.id)[-1] == "promise.offered"
    assert end_shifts(database=database, now=clock.now(), limit=100, settings=Settings()) == 0


def test_a_shift_end_must_be_ahead_and_only_for_available_agents(app_client, tenant, clock):
    agent = Api(app_client, tenant.tokens["agent"])
    url = f"/api/v1/agents/{tenant.agent.id}/presence"
    past = agent.put(
        url, json={"presence": "available", "until": (clock.now() - timedelta(minutes=1)).isoformat()}
    )
    assert past.status_code == 422 and past.json()["code"] == "shift_ended"
    away = agent.put(url, json={"presence": "away", "until": (clock.now() + timedelta(hours=1)).isoformat()})
    assert away.status_code == 422 and "until" in away.text
