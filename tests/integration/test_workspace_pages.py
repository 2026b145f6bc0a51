"""My work, the team lead's view, the customer page and the header's switches, through the real app."""

import re
from datetime import timedelta
from html import unescape

import pytest

from attent.agents.models import Agent, Presence
from attent.agents.service import set_presence
from attent.cases.models import Case, CaseStatus
from attent.cases.schemas import CaseUpdate
from attent.cases.service import update_case
from attent.contacts.models import Speaker
from attent.customers.schemas import CustomerCreate, Fact
from attent.customers.service import create_customer
from attent.promises.jobs import advance_due_promises
from attent.promises.models import PromiseKind
from tests import factories as make
from tests.conftest import Api

SUBJECT = re.compile(r'<a class="subject" href="/cases/[^"]+">([^<]*)</a>')


def _subjects(html: str) -> list[str]:
    return [unescape(s) for s in SUBJECT.findall(html)]


@pytest.fixture
def new_case(db, tenant, clock):
    """Open a case now, by default as the tenant's agent, for the tenant's customer."""

    def make_case(subject, **fields) -> Case:
        return make.case_row(db, tenant, clock, subject, **fields)

    return make_case


def _page(client, token: str, path: str = "/", status: int = 200) -> str:
    response = Api(client, token).get(path)
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("text/html")
    return response.text


def test_my_work_is_the_start_page_and_the_case_list_stays(app_client, tenant):
    assert app_client.get("/", follow_redirects=False).headers["location"] == "/signin?next=/"
    assert "<h1>Mijn werk</h1>" in _page(app_client, tenant.tokens["agent"])
    assert "<h1>Zaken</h1>" in _page(app_client, tenant.tokens["agent"], "/cases")


def test_my_work_orders_by_soonest_promise_then_longest_waiting_customer(
    app_client, db, tenant, clock, new_case
):
    now, me, front = clock.now(), tenant.agent, tenant.team_id
    waits_long = new_case("Wacht al een uur", owner=me)
    make.said(db, me, waits_long, Speaker.CUSTOMER, now - timedelta(hours=1))
    later = new_case("Belofte over twee uur", owner=me)
    make.promise_row(db, me, later, PromiseKind.DELIVERY, now + timedelta(hours=2), now)
    first = new_case("Belofte over een half uur", owner=me)
    make.promise_row(db, me, first, PromiseKind.CALLBACK, now + timedelta(minutes=30), now)
    waits_short = new_case("Niemand is eigenaar, wacht kort", team=front)
    make.said(db, me, waits_short, Speaker.CUSTOMER, now - timedelta(minutes=10))
    answered = new_case("Al beantwoord", owner=me)
    make.said(db, me, answered, Speaker.CUSTOMER, now - timedelta(minutes=90))
    make.said(db, me, answered, Speaker.AGENT, now - timedelta(minutes=80))
    # Not mine: a colleague's case in my team, another team's case, and my resolved case.
    new_case("Van de teamleider", owner=tenant.lead, team=front)
    new_case("Van de backoffice", actor=tenant.outsider, owner=tenant.outsider, team=tenant.other_team_id)
    done = new_case("Al opgelost", owner=me)
    update_case(db=db, actor=me, case_id=done.id, data=CaseUpdate(status=CaseStatus.RESOLVED), at=now)
    db.commit()

    html = _page(app_client, tenant.tokens["agent"])

    assert _subjects(html) == [
        "Belofte over een half uur",
        "Belofte over twee uur",
        "Wacht al een uur",
        "Niemand is eigenaar, wacht kort",
        # Nobody waits on these: the case untouched longest first (answered 80 minutes ago, then today's).
        "Al beantwoord",
        tenant.case.subject,
    ]
    assert 'data-countdown="2026-11-23T09:30:00Z"' in html and "over 30 min" in html
    assert "1 u 0 min" in html  # how long the customer has waited


def test_promises_offered_to_my_team_are_on_my_work_with_who_left_them(
    app_client, db, tenant, clock, new_case
):
    now, lead = clock.now(), tenant.lead
    case = new_case("Teamleider gaat naar huis", actor=lead, owner=lead, team=tenant.team_id)
    set_presence(db=db, actor=lead, agent_id=lead.id, presence=Presence.AVAILABLE, at=now)
    make.promise_row(
        db, lead, case, PromiseKind.CALLBACK, now + timedelta(hours=1), now, words="Ik bel u om 10 uur"
    )
    other = new_case("Backoffice", actor=tenant.outsider, owner=tenant.outsider, team=tenant.other_team_id)
    make.promise_row(db, tenant.outsider, other, PromiseKind.CALLBACK, now + timedelta(minutes=20), now)
    db.commit()
    assert "Teamleider gaat naar huis" not in _page(app_client, tenant.tokens["agent"])

    set_presence(db=db, actor=lead, agent_id=lead.id, presence=Presence.AWAY, at=now)
    db.commit()
    html = _page(app_client, tenant.tokens["agent"])

    assert _subjects(html)[0] == "Teamleider gaat naar huis"
    assert "aangeboden aan het team" in html and f"({lead.name})" in html and "Ik bel u om 10 uur" in html
    assert "Backoffice" not in html


def test_filters_narrow_my_work_by_team_status_and_type(app_client, db, tenant, clock, new_case):
    now, me = clock.now(), tenant.agent
    refund = new_case("Terugbetaling", owner=me, team=tenant.other_team_id, type="refund")
    opened = new_case("Geopend", owner=me, team=tenant.team_id, type="delivery_missing")
    make.said(db, me, opened, Speaker.CUSTOMER, now)
    db.commit()
    token = tenant.tokens["agent"]

    assert set(_subjects(_page(app_client, token))) == {refund.subject, opened.subject, tenant.case.subject}
    assert _subjects(_page(app_client, token, f"/?team={tenant.other_team_id}")) == ["Terugbetaling"]
    assert _subjects(_page(app_client, token, "/?status=open")) == ["Geopend"]
    assert _subjects(_page(app_client, token, "/?type=refund&status=&team=")) == ["Terugbetaling"]
    html = _page(app_client, token, "/?type=refund")
    assert '<option value="refund" selected>' in html  # the form shows what is applied
    assert "Onbekende" not in html
    wrong = _page(app_client, token, "/?status=asleep&team=nope", status=422)
    assert "Onbekende status “asleep”" in unescape(wrong) and "Geen team-id." in wrong


def test_counts_read_the_clock_and_agree_with_the_worker(app_client, db, database, tenant, clock):
    now, me, case = clock.now(), tenant.agent, tenant.case
    make.promise_row(
        db, me, case, PromiseKind.CALLBACK, now + timedelta(minutes=30), now
    )  # due within the hour
    make.promise_row(db, me, case, PromiseKind.FOLLOW_UP, now + timedelta(hours=3), now)  # nothing yet
    make.promise_row(db, me, case, PromiseKind.DELIVERY, now + timedelta(minutes=20), now)  # at risk at once
    make.promise_row(db, me, case, PromiseKind.REFUND, now + timedelta(minutes=5), now)  # broken at 09:10
    db.commit()
    clock.advance(timedelta(minutes=15))

    def counts() -> list[int]:
        html = _page(app_client, tenant.tokens["agent"])
        return [int(n) for n in re.findall(r'<span class="n">(\d+)</span>', html)]

    # open cases, due within the hour, at risk, broken in the last day
    assert counts() == [1, 2, 1, 1]
    advance_due_promises(database=database, now=clock.now())  # the worker flags and breaks them for real
    assert counts() == [1, 2, 1, 1]
    clock.advance(timedelta(days=1, minutes=1))
    assert counts() == [1, 0, 0, 3]  # the rest broke too; the refund broke over a day ago


def test_the_team_view_is_for_leads_and_shows_what_to_act_on(app_client, db, tenant, clock, new_case):
    now, me = clock.now(), tenant.agent
    until = now + timedelta(hours=8)
    set_presence(db=db, actor=me, agent_id=me.id, presence=Presence.AVAILABLE, at=now, until=until)
    risky = new_case("Levering in gevaar", owner=me, team=tenant.team_id)
    made = now - timedelta(minutes=30)  # a 40-minute promise warns 10 minutes ahead: at risk now
    make.promise_row(
        db, me, risky, PromiseKind.DELIVERY, now + timedelta(minutes=10), made, words="Morgen in huis"
    )
    calls = new_case("Terugbellen straks", owner=me, team=tenant.team_id)
    make.promise_row(db, me, calls, PromiseKind.CALLBACK, now + timedelta(minutes=20), now)
    make.said(db, me, calls, Speaker.CUSTOMER, now - timedelta(minutes=45))
    far = new_case("Andere afdeling", actor=tenant.outsider, owner=tenant.outsider, team=tenant.other_team_id)
    make.promise_row(db, tenant.outsider, far, PromiseKind.DELIVERY, now + timedelta(minutes=5), made)
    db.commit()

    forbidden = _page(app_client, tenant.tokens["agent"], "/team", status=403)
    assert "Hiervoor is de rol teamleider nodig; je bent medewerker." in forbidden
    assert 'href="/team"' not in _page(app_client, tenant.tokens["agent"])
    html = _page(app_client, tenant.tokens["lead"], "/team")

    trouble = html[html.index('id="trouble-h"') : html.index('id="callbacks-h"')]
    assert "Levering in gevaar" in trouble and "Morgen in huis" in trouble and me.name in trouble
    assert "Andere afdeling" not in html  # another team's promise is not this lead's to act on
    callbacks = html[html.index('id="callbacks-h"') : html.index('id="waiting-h"')]
    assert "Terugbellen straks" in callbacks and "over 20 min" in callbacks
    waiting = html[html.index('id="waiting-h"') : html.index('id="people-h"')]
    assert "Terugbellen straks" in waiting and "45 min" in waiting
    people = html[html.index('id="people-h"') :]
    assert (
        me.name in people and "beschikbaar" in people and "tot 18:00" in people
    )  # 17:00 UTC is 18:00 in Amsterdam
    assert "Andere afdeling" in _page(app_client, tenant.tokens["admin"], "/team")  # admins see every team


def test_a_due_time_says_its_day_on_every_page_and_in_the_brief(app_client, db, tenant, clock, new_case):
    now, me = clock.now(), tenant.agent  # Monday 10:00 in Amsterdam
    case = new_case("Levering morgen", owner=me, team=tenant.team_id)
    tomorrow = now.replace(hour=14, minute=20) + timedelta(days=1)  # 15:20 in Amsterdam, tomorrow
    make.promise_row(db, me, case, PromiseKind.DELIVERY, tomorrow, now, words="Morgen in huis")
    calls = new_case("Terugbellen straks", owner=me, team=tenant.team_id)
    make.promise_row(db, me, calls, PromiseKind.CALLBACK, now + timedelta(minutes=20), now)
    db.commit()

    my_work = _page(app_client, tenant.tokens["agent"])
    assert "uiterlijk morgen 15:20" in my_work and "uiterlijk vandaag 10:20" in my_work
    case_page = _page(app_client, tenant.tokens["agent"], f"/cases/{case.id}")
    promises = case_page[case_page.index('id="promises"') :]
    assert "uiterlijk morgen 15:20" in promises
    assert "Kom de belofte na (levering), uiterlijk morgen 15:20" in case_page  # the brief's next step
    team = _page(app_client, tenant.tokens["lead"], "/team")
    assert "uiterlijk vandaag 10:20" in team[team.index('id="callbacks-h"') :]
    brief = Api(app_client, tenant.tokens["agent"]).get(f"/api/v1/cases/{case.id}/brief?lang=en").json()
    assert brief["next_step"]["text"] == f"Keep the promise (delivery) by tomorrow 15:20 ({me.name})."


def test_the_customer_page_shows_details_facts_cases_and_promises(
    app_client, db, tenant, other_tenant, clock, new_case
):
    now, me = clock.now(), tenant.agent
    make.promise_row(
        db, me, tenant.case, PromiseKind.CALLBACK, now + timedelta(minutes=30), now, words="Ik bel terug"
    )
    hidden = new_case("Niet zichtbaar", actor=tenant.outsider, team=tenant.other_team_id)
    assert hidden.customer_id == tenant.customer.id
    db.commit()

    html = _page(app_client, tenant.tokens["agent"], f"/customers/{tenant.customer.id}")

    assert "<h1>Marieke Visser</h1>" in html and "C-1042" in html
    # The default policy verifies by e-mail: the address is shown masked, never in full.
    assert "m••••@kopje-koffie.example" in html and tenant.customer.email not in html
    assert f'href="/cases/{tenant.case.id}"' in html and "Ik bel terug" in html
    assert "Niet zichtbaar" not in html and "Nog 1 zaak in een team waar je niet in zit." in html
    missing = _page(app_client, tenant.tokens["agent"], f"/customers/{other_tenant.customer.id}", status=404)
    assert other_tenant.customer.email not in missing


def test_customer_text_is_escaped_on_every_workspace_page(app_client, db, tenant, clock, new_case):
    now, me = clock.now(), tenant.agent
    evil = "<script>alert('x')</script>"
    customer = create_customer(
        db=db,
        actor=me,
        at=now,
        data=CustomerCreate(name=evil, facts={"note": Fact(value=evil, consent=evil)}),
    )
    case = new_case(evil, owner=me, team=tenant.team_id, customer=customer.id)
    made = now - timedelta(minutes=25)  # at risk now, so the team view shows it too
    make.promise_row(db, me, case, PromiseKind.DELIVERY, now + timedelta(minutes=5), made, words=evil)
    db.commit()

    for token, path in [
        (tenant.tokens["agent"], "/"),
        (tenant.tokens["lead"], "/team"),
        (tenant.tokens["agent"], f"/customers/{customer.id}"),
    ]:
        html = _page(app_client, token, path)
        assert "<script>alert" not in html, path
        assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html, path


def test_the_header_switches_presence_and_language(app_client, db, tenant):
    agent = Api(app_client, tenant.tokens["agent"])
    html = agent.get("/").text
    assert 'value="offline" class="presence-offline" aria-pressed="true"' in html
    csrf = app_client.cookies.get("attent_csrf")

    assert agent.post("/me/presence", data={"presence": "away"}).status_code == 403  # no CSRF token
    moved = agent.post(
        "/me/presence", data={"presence": "away", "csrf": csrf, "next": "/cases"}, follow_redirects=False
    )
    assert moved.status_code == 303 and moved.headers["location"] == "/cases"
    db.expire_all()
    assert db.get(Agent, (tenant.organisation_id, tenant.agent.id)).presence is Presence.AWAY
    assert 'value="away" class="presence-away" aria-pressed="true"' in agent.get("/").text

    switched = agent.post(
        "/me/language", data={"lang": "en", "csrf": csrf, "next": "//evil.example"}, follow_redirects=False
    )
    assert switched.status_code == 303 and switched.headers["location"] == "/"
    db.expire_all()
    assert db.get(Agent, (tenant.organisation_id, tenant.agent.id)).language == "en"
    assert "<h1>My work</h1>" in agent.get("/").text


def test_my_work_and_the_team_view_cost_the_same_queries_however_much_work(
    app_client, db, tenant, clock, queries_captured, new_case
):
    def cost(token: str, path: str) -> int:
        with queries_captured() as statements:
            _page(app_client, token, path)
        return len(statements)

    now, me = clock.now(), tenant.agent

    def add_work(n: int) -> None:
        for i in range(n):
            case = new_case(f"Zaak {i}", owner=me, team=tenant.team_id)
            make.said(db, me, case, Speaker.CUSTOMER, now - timedelta(minutes=i))
            make.promise_row(db, me, case, PromiseKind.CALLBACK, now + timedelta(minutes=3 + i), now)
        db.commit()

    add_work(1)
    cost(tenant.tokens["agent"], "/"), cost(tenant.tokens["lead"], "/team")  # tokens note their first use
    before = cost(tenant.tokens["agent"], "/"), cost(tenant.tokens["lead"], "/team")
    add_work(6)

    assert (cost(tenant.tokens["agent"], "/"), cost(tenant.tokens["lead"], "/team")) == before
