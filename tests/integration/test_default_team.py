"""Every case lands somewhere: an organisation's default team takes the cases opened without a team."""

from datetime import timedelta

from alembic import command
from sqlalchemy import select

from attent.agents.models import Role
from attent.agents.schemas import AgentCreate
from attent.agents.service import create_agent, create_team, create_token
from attent.cases.models import Case
from attent.cases.schemas import CaseCreate
from attent.cases.service import create_case
from attent.core.db import Database
from attent.core.migrate import alembic_config, upgrade
from attent.customers.schemas import CustomerCreate
from attent.customers.service import create_customer
from attent.organisations.models import Organisation
from attent.organisations.service import create_organisation
from attent.promises.models import Promise, PromiseKind
from attent.promises.schemas import PromiseCreate
from attent.promises.service import keep_promise, make_promise
from tests.conftest import Api


def test_the_first_team_is_the_default_and_takes_cases_without_a_team(app_client, api, admin_api, tenant):
    teams = {t["name"]: t for t in api.get("/api/v1/teams").json()["items"]}
    assert teams["Front"]["default"] is True and teams["Back office"]["default"] is False
    body = {"customer_id": str(tenant.customer.id), "subject": "Niemand toegewezen"}
    case = Api(app_client, tenant.tokens["outsider"]).post("/api/v1/cases", json=body).json()
    assert case["team_id"] == str(tenant.team_id) and case["owner_id"] is None
    my_work = app_client.get("/", headers={"Authorization": f"Bearer {tenant.tokens['agent']}"}).text
    assert "Niemand toegewezen" in my_work  # in the My work of the default team's members


def test_an_admin_changes_the_default_team(api, admin_api, tenant):
    body = {"team_id": str(tenant.other_team_id)}
    assert api.put("/api/v1/teams/default", json=body).status_code == 403
    changed = admin_api.put("/api/v1/teams/default", json=body)
    assert changed.status_code == 200 and changed.json() == {
        "id": str(tenant.other_team_id),
        "name": "Back office",
        "member_ids": [str(tenant.outsider.id)],
        "default": True,
    }
    unknown = admin_api.put("/api/v1/teams/default", json={"team_id": str(tenant.customer.id)})
    assert unknown.status_code == 422 and unknown.json()["code"] == "unknown_team"
    case = api.post(
        "/api/v1/cases", json={"customer_id": str(tenant.customer.id), "subject": "Retour"}
    ).json()
    assert case["team_id"] == str(tenant.other_team_id)
    assert api.get(f"/api/v1/teams/{tenant.team_id}").json()["default"] is False
    read = api.get("/api/v1/teams/default")  # not a team id: read the flag on GET /teams
    assert read.status_code == 405 and read.headers["allow"] == "PUT"


def test_taking_a_case_out_of_its_team_puts_it_in_the_default_team(api, admin_api, tenant):
    moved = admin_api.patch(f"/api/v1/cases/{tenant.case.id}", json={"team_id": str(tenant.other_team_id)})
    assert moved.json()["team_id"] == str(tenant.other_team_id)
    out = admin_api.patch(f"/api/v1/cases/{tenant.case.id}", json={"team_id": None})
    assert out.status_code == 200 and out.json()["team_id"] == str(tenant.team_id)


def test_the_admin_page_shows_and_sets_the_default_team(app_client, tenant):
    admin = Api(app_client, tenant.tokens["admin"])
    app_client.get("/signin")
    csrf = app_client.cookies.get("attent_csrf")
    html = admin.get("/admin/teams").text
    assert (
        f'value="{tenant.team_id}" aria-describedby="default-hint" checked' in html
        and "Standaardteam" in html
    )
    saved = admin.post(
        "/admin/teams", data={"csrf": csrf, "default_team": str(tenant.other_team_id)}, follow_redirects=False
    )
    assert saved.status_code == 303 and saved.headers["location"] == "/admin/teams?saved=1"
    assert (
        f'value="{tenant.other_team_id}" aria-describedby="default-hint" checked'
        in admin.get("/admin/teams").text
    )
    agent = Api(app_client, tenant.tokens["agent"])
    assert "disabled" in agent.get("/admin/teams").text
    refused = agent.post("/admin/teams", data={"csrf": csrf, "default_team": str(tenant.team_id)})
    assert refused.status_code == 403 and 'role="alert"' in refused.text


def test_before_any_team_a_case_without_one_is_in_everyones_my_work(app_client, db, clock):
    now = clock.now()
    org = create_organisation(db=db, slug="zonder-team", name="Zonder team", at=now)
    admin = create_agent(
        db=db,
        actor=None,
        organisation_id=org.id,
        at=now,
        data=AgentCreate(email="admin@zonder-team.example", name="Admin", role=Role.ADMIN),
    )
    agent = create_agent(
        db=db,
        actor=admin,
        organisation_id=org.id,
        at=now,
        data=AgentCreate(email="a@zonder-team.example", name="A"),
    )
    customer = create_customer(db=db, actor=agent, at=now, data=CustomerCreate(name="Jan"))
    case = create_case(
        db=db, actor=agent, at=now, data=CaseCreate(customer_id=customer.id, subject="Geen team")
    )
    assert case.team_id is None
    token = create_token(db=db, agent=admin, name="t", at=now)[1]
    db.commit()
    assert "Geen team" in Api(app_client, token).get("/").text  # not the admin's, nobody's: everyone's


def test_the_migration_moves_cases_without_a_team_to_the_oldest_team(committed_url, clock):
    database = Database.from_url(committed_url)
    now = clock.now()
    with database.unit_of_work() as db:
        org = create_organisation(db=db, slug="oud", name="Oud", at=now)
        admin = create_agent(
            db=db,
            actor=None,
            organisation_id=org.id,
            at=now,
            data=AgentCreate(email="admin@oud.example", name="Admin", role=Role.ADMIN),
        )
        customer = create_customer(db=db, actor=admin, at=now, data=CustomerCreate(name="Jan"))
        teamless = create_case(
            db=db, actor=admin, at=now, data=CaseCreate(customer_id=customer.id, subject="Oud")
        )
        due = PromiseCreate(kind=PromiseKind.CALLBACK, due_at=now + timedelta(hours=1))
        open_ = make_promise(db=db, actor=admin, case_id=teamless.id, data=due, at=now)
        kept = make_promise(db=db, actor=admin, case_id=teamless.id, data=due, at=now)
        keep_promise(db=db, actor=admin, promise=kept, at=now)
        first = create_team(db=db, actor=admin, name="Eerste", at=now + timedelta(minutes=1))
        create_team(db=db, actor=admin, name="Tweede", at=now + timedelta(minutes=2))
        ids = org.id, teamless.id, open_.id, kept.id, first.id
    database.engine.dispose()
    command.downgrade(alembic_config(committed_url), "0014")  # as it was before default teams
    upgrade(committed_url)

    org_id, case_id, open_id, kept_id, first_id = ids
    database = Database.from_url(committed_url)
    with database.unit_of_work() as db:
        assert db.get(Organisation, org_id).default_team_id == first_id
        assert db.scalar(select(Case.team_id).where(Case.id == case_id)) == first_id
        assert db.get(Promise, (org_id, open_id)).team_id == first_id  # now someone's to pick up
        assert db.get(Promise, (org_id, kept_id)).team_id is None  # history stays as it was
    database.engine.dispose()
