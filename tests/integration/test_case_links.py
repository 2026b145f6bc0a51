""" "Bekijk uw vraag": every e-mail to the customer about a case links to that case on the customer page;
the link is the page's plain address (it signs nobody in), and without a session it leads through the
e-mailed sign-in link back to the case."""

import re

import pytest
from sqlalchemy import select

from attent.channels.models import OutboundMessage
from attent.channels.render import render_message
from attent.contacts.service import reply_by_email
from attent.core.settings import get_settings
from attent.organisations import Organisation

PUBLIC = "https://help.kopjekoffie.example"
CASE_TEMPLATES = ["reply", "mail_received", "promise_made", "promise_at_risk", "check_in"]
CASE_TEMPLATES += ["delivery_failed", "late_arrival"]


@pytest.fixture
def public_url(monkeypatch):
    """Attent's public address, as ATTENT_PUBLIC_URL sets it for the web processes and the worker."""
    monkeypatch.setenv("ATTENT_PUBLIC_URL", PUBLIC)
    get_settings.cache_clear()
    yield PUBLIC
    get_settings.cache_clear()


def sent(db, case_id, template):
    return db.scalars(
        select(OutboundMessage).where(
            OutboundMessage.case_id == case_id, OutboundMessage.template == template
        )
    ).all()


def test_an_agents_reply_and_a_promise_link_to_the_case_on_the_customer_page(
    public_url, api, db, tenant, clock
):
    case = tenant.case
    org = db.get(Organisation, tenant.organisation_id)
    org.settings = {**org.settings, "promises": {"tell_customer": True}}  # promises are told to customers
    db.flush()
    reply_by_email(db=db, actor=tenant.agent, case_id=case.id, text="Uw bonen komen morgen.", at=clock.now())
    promised = {"kind": "callback", "due_at": "2030-01-01T12:00:00Z", "tell_customer": True}
    made = api.post(f"/api/v1/cases/{case.id}/promises", json=promised)
    assert made.status_code == 201, made.text
    link = f"{PUBLIC}/help/kopje-koffie/mine/{case.id}"
    [reply] = sent(db, case.id, "reply")
    [promise] = sent(db, case.id, "promise_made")
    assert f"Bekijk uw vraag: {link}\n" in reply.body
    assert reply.body.index(link) < reply.body.index("Met vriendelijke groet")  # above the signature
    assert f"Bekijk uw vraag: {link}\n" in promise.body
    assert "/in/" not in reply.body  # never a link that signs in by itself: mail is forwarded


def test_the_link_leads_through_the_emailed_sign_in_back_to_that_case(
    public_url, app_client, db, tenant, clock
):
    case = tenant.case
    reply_by_email(db=db, actor=tenant.agent, case_id=case.id, text="Zie de pagina.", at=clock.now())
    [reply] = sent(db, case.id, "reply")
    path = re.search(rf"{re.escape(PUBLIC)}(/help/\S+)", reply.body).group(1)
    opened = app_client.get(path, follow_redirects=False)  # forwarded, or not signed in: no case shown
    assert opened.status_code == 303
    assert opened.headers["location"] == f"/help/kopje-koffie/signin?next={path}"
    assert f'name="next" value="{path}"' in app_client.get(opened.headers["location"]).text
    asked = app_client.post(
        "/help/kopje-koffie/signin",
        data={"email": tenant.customer.email, "next": path, "csrf": app_client.cookies.get("attent_csrf")},
        follow_redirects=False,
    )
    assert asked.status_code == 303
    [signin] = (
        sent(db, case.id, "signin_link")
        or db.scalars(select(OutboundMessage).where(OutboundMessage.template == "signin_link")).all()
    )
    assert signin.recipient == tenant.customer.email
    token_path = re.search(rf"{re.escape(PUBLIC)}(/help/kopje-koffie/in/\S+)", signin.body).group(1)
    app_client.get(token_path)
    used = app_client.post(
        token_path, data={"csrf": app_client.cookies.get("attent_csrf")}, follow_redirects=False
    )
    assert used.status_code == 303 and used.headers["location"] == path
    page = app_client.get(path)
    assert page.status_code == 200 and "Zie de pagina." in page.text


def test_without_a_public_address_the_mail_goes_without_the_link(monkeypatch, db, tenant, clock):
    monkeypatch.delenv("ATTENT_PUBLIC_URL", raising=False)
    get_settings.cache_clear()
    reply_by_email(db=db, actor=tenant.agent, case_id=tenant.case.id, text="Hallo.", at=clock.now())
    [reply] = sent(db, tenant.case.id, "reply")
    assert "Bekijk uw vraag" not in reply.body and "/help/" not in reply.body


@pytest.mark.parametrize("template", CASE_TEMPLATES)
@pytest.mark.parametrize(("language", "words"), [("nl", "Bekijk uw vraag"), ("en", "View your question")])
def test_every_message_about_a_case_has_the_link_in_both_languages(template, language, words):
    values = {
        "customer_name": "Joost", "organisation": "Kopje Koffie", "case_subject": "Bonen", "text": "Hallo",
        "agent_name": "Anna", "when": "morgen", "kind": "callback", "source": "manual", "words": "",
        "gesture": "", "signal": {"order_id": "88213"}, "case_link": f"{PUBLIC}/help/k/mine/1",
    }  # fmt: skip
    _subject, body = render_message(template=template, language=language, values=values)
    assert f"{words}: {PUBLIC}/help/k/mine/1\n" in body
    _subject, without = render_message(
        template=template, language=language, values={**values, "case_link": ""}
    )
    assert words not in without
