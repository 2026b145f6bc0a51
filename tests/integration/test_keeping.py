"""What keeps a promise by itself: reaching the customer, never only trying to."""

from datetime import timedelta

import pytest

from attent.channels.jobs import deliver_due_messages
from attent.core.settings import Settings
from tests import factories as make
from tests.conftest import page_csrf


def _state(api, promise):
    return api.get(f"/api/v1/promises/{promise['id']}").json()


@pytest.fixture
def page(app_client, tenant):
    """The case page's forms, signed in as the tenant's agent."""
    app_client.get("/signin")
    csrf = app_client.cookies.get("attent_csrf")
    signed_in = app_client.post(
        "/signin",
        data={"email": tenant.agent.email, "password": "correct horse battery", "csrf": csrf},
        follow_redirects=False,
    )
    assert signed_in.status_code == 303
    app_client.csrf = page_csrf(app_client)  # the session's own token, as its pages carry it
    return app_client


def _reply(page, case_id, text):
    response = page.post(
        f"/cases/{case_id}/reply", data={"csrf": page.csrf, "text": text}, follow_redirects=False
    )
    assert response.status_code == 303, response.text


def test_an_e_mail_reply_keeps_the_follow_up_when_it_is_sent(page, api, tenant, clock, database, mailbox):
    due = clock.now() + timedelta(hours=2)
    follow_up = make.promise(
        api, tenant.case.id, kind="follow_up", due_at=make.iso(due), words="Ik mail u het label"
    )
    _reply(page, tenant.case.id, "Hierbij het retourlabel.")
    assert _state(api, follow_up)["state"] == "open"  # queued is not reached

    clock.advance(timedelta(minutes=3))
    assert (
        deliver_due_messages(database=database, now=clock.now(), limit=20, settings=mailbox.settings()) == 1
    )
    kept = _state(api, follow_up)
    assert kept["state"] == "kept" and kept["close_reason"] == "reply"
    assert kept["closed_at"] == make.iso(clock.now())  # when it was sent, not when it was written
    assert kept["closed_by_id"] == str(tenant.agent.id)
    [mail] = mailbox.messages
    assert "Hierbij het retourlabel." in mail.get_content()


def test_a_reply_that_cannot_be_delivered_keeps_nothing_and_the_brief_says_so(
    page, api, tenant, clock, database
):
    make.contact(
        api, tenant.case.id, channel="email",
        messages=[{"speaker": "customer", "text": "Wanneer krijg ik het retourlabel?"}],
    )  # fmt: skip
    follow_up = make.promise(
        api, tenant.case.id, kind="follow_up", due_at=make.iso(clock.now() + timedelta(hours=2))
    )
    _reply(page, tenant.case.id, "Hierbij het retourlabel.")
    brief = api.get(f"/api/v1/cases/{tenant.case.id}/brief").json()
    assert brief["unanswered"] == []  # answered, as far as we know yet

    assert deliver_due_messages(database=database, now=clock.now(), limit=20, settings=Settings()) == 0
    assert _state(api, follow_up)["state"] == "open"
    brief = api.get(f"/api/v1/cases/{tenant.case.id}/brief").json()
    assert any(d["summary"].startswith("Het antwoord heeft de klant NIET bereikt") for d in brief["done"])
    assert [q["text"] for q in brief["unanswered"]] == ["Wanneer krijg ik het retourlabel?"]
    assert "Kom de belofte na" in brief["next_step"]["text"]


def test_a_reply_keeps_only_follow_ups_promised_before_it_was_written(
    page, api, tenant, clock, database, mailbox
):
    _reply(page, tenant.case.id, "We kijken ernaar.")
    clock.advance(timedelta(minutes=1))
    later = make.promise(
        api, tenant.case.id, kind="follow_up", due_at=make.iso(clock.now() + timedelta(hours=2))
    )
    deliver_due_messages(database=database, now=clock.now(), limit=20, settings=mailbox.settings())
    assert len(mailbox.messages) == 1 and _state(api, later)["state"] == "open"


def test_a_message_in_a_call_keeps_the_follow_up_at_once(api, tenant, clock):
    follow_up = make.promise(
        api, tenant.case.id, kind="follow_up", due_at=make.iso(clock.now() + timedelta(hours=2))
    )
    call = make.contact(api, tenant.case.id, channel="chat", direction="outbound")
    said = api.post(
        f"/api/v1/contacts/{call['id']}/messages", json={"speaker": "agent", "text": "Hier is de link."}
    )
    assert said.status_code == 201, said.text
    kept = _state(api, follow_up)
    assert kept["state"] == "kept" and kept["close_reason"] == "reply"


def test_a_message_written_before_the_promise_does_not_keep_it(api, tenant, clock):
    follow_up = make.promise(
        api, tenant.case.id, kind="follow_up", due_at=make.iso(clock.now() + timedelta(hours=2))
    )
    transcript = [
        {"speaker": "agent", "text": "Ik zoek het uit.", "at": make.iso(clock.now() - timedelta(minutes=5))}
    ]
    make.contact(api, tenant.case.id, channel="phone", messages=transcript)
    assert _state(api, follow_up)["state"] == "open"


def test_a_dropped_outbound_call_keeps_no_callback(api, tenant, clock):
    callback = make.promise(
        api, tenant.case.id, kind="callback", due_at=make.iso(clock.now() + timedelta(hours=1))
    )
    ended = make.iso(clock.now() + timedelta(minutes=1))
    make.contact(
        api, tenant.case.id, channel="phone", direction="outbound", outcome="dropped", ended_at=ended
    )
    open_ = api.get("/api/v1/promises", params={"case_id": str(tenant.case.id), "state": "open"}).json()[
        "items"
    ]
    assert callback["id"] in [p["id"] for p in open_]  # still owed, beside the call-back the drop made
    assert {p["source"] for p in open_} == {"agent", "dropped_contact"}


def test_an_outbound_e_mail_or_web_form_is_no_call_back(api, tenant, clock):
    callback = make.promise(
        api, tenant.case.id, kind="callback", due_at=make.iso(clock.now() + timedelta(hours=1))
    )
    for channel in ("email", "web_form", "proactive"):
        ended = make.iso(clock.now() + timedelta(minutes=1))
        make.contact(
            api, tenant.case.id, channel=channel, direction="outbound", outcome="follow_up", ended_at=ended
        )
    assert _state(api, callback)["state"] == "open"


def test_a_call_logged_while_ringing_keeps_the_callback_when_it_ends_reached(api, tenant, clock):
    callback = make.promise(
        api, tenant.case.id, kind="callback", due_at=make.iso(clock.now() + timedelta(hours=1))
    )
    ringing = make.contact(api, tenant.case.id, channel="phone", direction="outbound")
    assert _state(api, callback)["state"] == "open"
    unanswered = api.patch(f"/api/v1/contacts/{ringing['id']}", json={"outcome": "dropped"})
    assert unanswered.status_code == 200 and _state(api, callback)["state"] == "open"

    clock.advance(timedelta(minutes=10))
    again = make.contact(api, tenant.case.id, channel="phone", direction="outbound")
    clock.advance(timedelta(minutes=4))
    api.patch(f"/api/v1/contacts/{again['id']}", json={"outcome": "resolved"})
    kept = _state(api, callback)
    assert kept["state"] == "kept" and kept["close_reason"] == "outbound contact"
    assert kept["closed_at"] == make.iso(clock.now())


def test_only_the_customer_on_the_line_keeps_the_automatic_callback(api, tenant, clock):
    ended = make.iso(clock.now() + timedelta(minutes=2))
    make.contact(api, tenant.case.id, channel="phone", outcome="dropped", ended_at=ended)
    [callback] = api.get("/api/v1/promises", params={"case_id": str(tenant.case.id)}).json()["items"]
    make.contact(
        api, tenant.case.id, channel="email", messages=[{"speaker": "customer", "text": "Bel me a.u.b."}]
    )
    assert _state(api, callback)["state"] == "open"  # they wrote; they still wait for our call
    make.contact(api, tenant.case.id, channel="phone")
    assert _state(api, callback)["state"] == "kept"


def test_a_call_that_drops_again_keeps_the_call_back_open_and_adds_no_second(api, tenant, clock):
    ended = make.iso(clock.now() + timedelta(minutes=2))
    make.contact(api, tenant.case.id, channel="phone", outcome="dropped", ended_at=ended)
    [first] = api.get("/api/v1/promises", params={"case_id": str(tenant.case.id)}).json()["items"]
    clock.advance(timedelta(minutes=5))
    again = make.iso(clock.now() + timedelta(minutes=1))
    make.contact(api, tenant.case.id, channel="phone", outcome="dropped", ended_at=again)
    open_ = api.get("/api/v1/promises", params={"case_id": str(tenant.case.id), "state": "open"}).json()
    assert [p["id"] for p in open_["items"]] == [first["id"]]  # still owed, once


def test_a_reply_to_a_customer_without_an_address_keeps_nothing(page, api, tenant, clock):
    customer = api.post("/api/v1/customers", json={"name": "Piet", "phone": "+31201234567"}).json()
    case = api.post("/api/v1/cases", json={"customer_id": customer["id"], "subject": "Bestelling"}).json()
    asked = [{"speaker": "customer", "text": "Mail me de factuur."}]
    make.contact(api, case["id"], channel="phone", messages=asked)
    follow_up = make.promise(
        api, case["id"], kind="follow_up", due_at=make.iso(clock.now() + timedelta(hours=2))
    )
    _reply(page, case["id"], "Hierbij de factuur.")
    assert _state(api, follow_up)["state"] == "open"
    brief = api.get(f"/api/v1/cases/{case['id']}/brief", params={"lang": "en"}).json()
    lost = "The reply did NOT reach the customer (we have no address to write to)"
    assert any(d["summary"].startswith(lost) for d in brief["done"])
    assert [q["text"] for q in brief["unanswered"]] == ["Mail me de factuur."]
