"""The customer's side: the web form (spam checks, honest promise, e-mail), signing in by a single-use
link, "Mijn vragen" with only what the customer may see, replies, and isolation between customers and
organisations."""

import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from attent.cases import Case
from attent.channels.models import OutboundMessage
from attent.contacts import Contact
from attent.customers import Customer
from attent.organisations import Organisation
from attent.portal.form import answer_due
from attent.promises import Promise
from tests.conftest import make_tenant

HELP = "/help/kopje-koffie"


def stamp_of(html: str) -> str:
    found = re.search(r'name="stamp" value="([^"]+)"', html)
    assert found
    return found.group(1)


def fill(client, clock, path=HELP, wait=10, **fields):
    """Open the form, take `wait` seconds (the frozen clock), and send it."""
    stamp = stamp_of(client.get(path).text)
    clock.advance(timedelta(seconds=wait))
    data = {
        "name": "Joost de Boer",
        "email": "joost@example.nl",
        "reference": "88213",
        "question": "Mijn bonen zijn niet geleverd, wanneer komen ze?",
        "stamp": stamp,
        **fields,
    }
    return client.post(path, data=data, follow_redirects=False)


def count(db, model, **where):
    query = select(func.count()).select_from(model)
    for name, value in where.items():
        query = query.where(getattr(model, name) == value)
    return db.scalar(query)


def test_the_form_speaks_the_browsers_language_and_names_the_organisation(app_client, tenant):
    dutch = app_client.get(HELP)
    assert dutch.status_code == 200 and "Stel Kopje-Koffie een vraag" in dutch.text
    english = app_client.get(HELP, headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert "Ask Kopje-Koffie a question" in english.text and 'lang="en"' in english.text
    assert "<script" not in dutch.text  # it works without JavaScript


def test_a_question_opens_a_case_with_a_web_form_contact_and_an_honest_promise(app_client, tenant, db, clock):
    clock.set(datetime(2026, 11, 23, 15, 0, tzinfo=UTC))  # Monday 16:00 in Amsterdam
    sent = fill(app_client, clock)
    assert sent.status_code == 303
    page = app_client.get(sent.headers["location"])
    assert "U hoort morgen uiterlijk om 12:00 van ons." in page.text  # 1 hour today, 3 tomorrow
    customer = db.scalar(select(Customer).where(Customer.email == "joost@example.nl"))
    [case] = db.scalars(select(Case).where(Case.customer_id == customer.id)).all()
    assert case.team_id == tenant.team_id and case.description == "88213"  # the default team
    [contact] = db.scalars(select(Contact).where(Contact.case_id == case.id)).all()
    assert contact.channel.value == "web_form" and contact.direction.value == "inbound"
    [promise] = db.scalars(select(Promise).where(Promise.case_id == case.id)).all()
    assert promise.kind.value == "follow_up" and promise.due_by == datetime(2026, 11, 24, 11, 0, tzinfo=UTC)
    [mail] = db.scalars(select(OutboundMessage).where(OutboundMessage.case_id == case.id)).all()
    assert mail.template == "form_received" and "U hoort morgen uiterlijk om 12:00 van ons" in mail.body
    assert f"/help/kopje-koffie/mine/{case.id}" in mail.body  # "Bekijk uw vraag"


def test_a_known_address_is_the_known_customer(app_client, tenant, db, clock):
    fill(app_client, clock, email="MARIEKE@kopje-koffie.example")
    assert count(db, Customer, organisation_id=tenant.organisation_id) == 1
    assert count(db, Case, customer_id=tenant.customer.id) == 2


def test_spam_checks_honeypot_speed_and_rate(app_client, tenant, db, clock):
    trapped = fill(app_client, clock, website="http://spam.example")
    assert trapped.status_code == 303 and count(db, Case) == 1  # answered as if it worked; nothing kept
    fast = fill(app_client, clock, wait=1)
    assert fast.status_code == 422 and "erg snel" in fast.text and count(db, Case) == 1
    forged = app_client.post(
        HELP, data={"name": "x", "email": "x@example.nl", "question": "q", "stamp": "1.abc"}
    )
    assert forged.status_code == 422 and count(db, Case) == 1
    for n in range(5):
        assert fill(app_client, clock, question=f"Vraag {n}").status_code == 303
    limited = fill(app_client, clock, question="Vraag 6")
    assert limited.status_code == 429 and "probeer het later opnieuw" in limited.text
    assert count(db, Case) == 6


def test_field_errors_are_shown_in_place_and_what_was_typed_stays(app_client, tenant, clock):
    refused = fill(app_client, clock, name="", email="niet-een-adres", question="Waar blijft mijn pakket?")
    assert refused.status_code == 422
    assert 'id="e-name"' in refused.text and "Vul uw naam in." in refused.text
    assert "Vul uw e-mailadres in." in refused.text and "Waar blijft mijn pakket?" in refused.text


def test_customer_text_is_never_html(app_client, tenant, db, clock):
    fill(app_client, clock, name="<b>Joost</b>", question="<script>alert(1)</script> help")
    cookie = sign_in(app_client, db, "joost@example.nl")
    assert cookie
    case = db.scalar(select(Case).where(Case.subject.like("%alert%")))
    page = app_client.get(f"{HELP}/mine/{case.id}").text
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page


def test_business_hours_answer_due():
    class Org:
        timezone, settings = "Europe/Amsterdam", {}

    friday_late = datetime(2026, 11, 27, 16, 30, tzinfo=UTC)  # 17:30 in Amsterdam, after hours
    assert answer_due(Org(), friday_late) == datetime(2026, 11, 30, 12, 0, tzinfo=UTC)  # Monday 13:00


# --- signing in and "Mijn vragen" -------------------------------------------------------------------


def link_from(db, email: str) -> str:
    mail = db.scalars(
        select(OutboundMessage)
        .where(OutboundMessage.template == "signin_link", OutboundMessage.recipient == email)
        .order_by(OutboundMessage.created_at.desc())
    ).first()
    assert mail is not None
    found = re.search(r"http://testserver(/help/[\w-]+/in/[\w-]+)", mail.body)
    assert found
    return found.group(1)


def sign_in(client, db, email: str, slug: str = "kopje-koffie") -> str:
    client.get(f"/help/{slug}/signin")
    asked = client.post(
        f"/help/{slug}/signin",
        data={"email": email, "csrf": client.cookies.get("attent_csrf")},
        follow_redirects=False,
    )
    assert asked.status_code == 303
    link = link_from(db, email)
    assert "Toon mijn vragen" in client.get(link).text  # a mail scanner opening it spends nothing
    used = client.post(link, data={"csrf": client.cookies.get("attent_csrf")}, follow_redirects=False)
    assert used.status_code == 303, used.text
    return link


def test_the_customer_sees_their_question_and_the_promise_then_that_it_was_kept(
    app_client, tenant, db, clock, api
):
    clock.set(datetime(2026, 11, 23, 9, 0, tzinfo=UTC))
    fill(app_client, clock, email=tenant.customer.email)
    case = db.scalars(
        select(Case).where(Case.customer_id == tenant.customer.id).order_by(Case.created_at.desc())
    ).first()
    api.post(f"/api/v1/cases/{case.id}/notes", json={"text": "Interne notitie: klant is boos"})
    sign_in(app_client, db, tenant.customer.email)
    mine = app_client.get(f"{HELP}/mine")
    assert "Mijn bonen zijn niet geleverd" in mine.text and "Zending nooit aangekomen" in mine.text
    page = app_client.get(f"{HELP}/mine/{case.id}").text
    assert "vandaag uiterlijk om 14:00" in page and "staat nog open" in page
    assert "Interne notitie" not in page
    clock.advance(timedelta(hours=1))
    answered = api.post(
        f"/api/v1/cases/{case.id}/contacts",
        json={
            "channel": "phone",
            "direction": "outbound",
            "ended_at": clock.now().isoformat(),
            "outcome": "resolved",
            "messages": [{"speaker": "agent", "text": "Uw bonen komen morgen."}],
        },
    )
    assert answered.status_code == 201, answered.text
    page = app_client.get(f"{HELP}/mine/{case.id}").text
    assert "nagekomen" in page and "Uw bonen komen morgen." in page


def test_a_reply_from_the_page_is_a_message_on_the_case(app_client, tenant, db, clock):
    sign_in(app_client, db, tenant.customer.email)
    replied = app_client.post(
        f"{HELP}/mine/{tenant.case.id}/reply",
        data={"text": "Ik ben morgen thuis.", "csrf": app_client.cookies.get("attent_csrf")},
        follow_redirects=False,
    )
    assert replied.status_code == 303
    assert "Ik ben morgen thuis." in app_client.get(f"{HELP}/mine/{tenant.case.id}").text


def test_a_link_works_once_and_not_after_it_expired(app_client, tenant, db, clock):
    link = sign_in(app_client, db, tenant.customer.email)
    again = app_client.post(
        link, data={"csrf": app_client.cookies.get("attent_csrf")}, follow_redirects=False
    )
    assert again.status_code == 401 and "al gebruikt of verlopen" in again.text
    app_client.post(
        f"{HELP}/signin", data={"email": tenant.customer.email, "csrf": app_client.cookies.get("attent_csrf")}
    )
    fresh = link_from(db, tenant.customer.email)
    clock.advance(timedelta(minutes=31))
    late = app_client.post(
        fresh, data={"csrf": app_client.cookies.get("attent_csrf")}, follow_redirects=False
    )
    assert late.status_code == 401


def test_a_link_is_bound_to_the_address_it_was_sent_to(app_client, tenant, db, clock):
    app_client.get(f"{HELP}/signin")
    app_client.post(
        f"{HELP}/signin", data={"email": tenant.customer.email, "csrf": app_client.cookies.get("attent_csrf")}
    )
    link = link_from(db, tenant.customer.email)
    tenant.customer.email = "marieke.nieuw@example.nl"
    db.commit()
    used = app_client.post(link, data={"csrf": app_client.cookies.get("attent_csrf")}, follow_redirects=False)
    assert used.status_code == 401


def test_unknown_addresses_learn_nothing(app_client, tenant, db):
    app_client.get(f"{HELP}/signin")
    asked = app_client.post(
        f"{HELP}/signin", data={"email": "nobody@example.nl", "csrf": app_client.cookies.get("attent_csrf")}
    )
    assert "Als we dit adres kennen" in asked.text
    assert count(db, OutboundMessage, template="signin_link") == 0


@pytest.mark.parametrize("where", ["mine", "case", "reply"])
def test_isolation_across_customers_and_organisations(app_client, tenant, db, clock, where):
    other = make_tenant(db, clock, "villa-oleander")
    neighbour = db.scalar(select(Customer).where(Customer.organisation_id == tenant.organisation_id).limit(1))
    assert neighbour.id == tenant.customer.id
    # Joost, another customer of the same organisation, signs in
    fill(app_client, clock)
    sign_in(app_client, db, "joost@example.nl")
    csrf = app_client.cookies.get("attent_csrf")
    for case_id in (tenant.case.id, other.case.id, uuid.uuid4()):
        if where == "mine":
            assert "Zending nooit aangekomen" not in app_client.get(f"{HELP}/mine").text
            break
        if where == "case":
            assert app_client.get(f"{HELP}/mine/{case_id}").status_code == 404
        else:
            posted = app_client.post(
                f"{HELP}/mine/{case_id}/reply", data={"text": "hallo", "csrf": csrf}, follow_redirects=False
            )
            assert posted.status_code == 404
    # the session of one organisation signs in nowhere else
    assert app_client.get("/help/villa-oleander/mine", follow_redirects=False).status_code == 303
    assert (
        app_client.get(f"/help/villa-oleander/mine/{other.case.id}", follow_redirects=False).status_code
        == 303
    )


def test_the_embed_script_builds_the_same_form(app_client, tenant):
    script = app_client.get(f"{HELP}/embed.js", headers={"Accept-Language": "en"})
    assert script.status_code == 200 and script.headers["content-type"].startswith("text/javascript")
    assert "http://testserver/help/kopje-koffie?lang=en" in script.text and '"stamp"' in script.text
    assert "innerHTML" not in script.text


def test_the_pages_wear_the_organisations_colours(app_client, tenant, db):
    org = db.get(Organisation, tenant.organisation_id)
    org.settings = {**org.settings, "portal": {"colours": {"accent": "#6f4e37", "on_accent": "url(x)"}}}
    db.commit()
    assert '/help/kopje-koffie/theme.css"' in app_client.get(HELP).text
    css = app_client.get(f"{HELP}/theme.css").text
    assert "--accent: #6f4e37" in css and "url(" not in css  # only colours get through
