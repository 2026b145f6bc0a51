"""Call events from the telephone system: signed, idempotent, order-free; calls become contacts, drops and
long waits become call-back promises, transcripts are scored; Twilio's status callbacks map onto them."""

import hashlib
import hmac
import json
import uuid
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from sqlalchemy import func, select

from attent.agents import Presence
from attent.agents.service import set_presence
from attent.coach.jobs import score_ended_contacts
from attent.contacts import Contact, Message
from attent.customers import Customer
from attent.phone import twilio
from attent.phone.jobs import settle_calls, take_queued_events
from attent.phone.service import find_line, receive, validate
from attent.promises import Promise, PromiseState
from attent.signals import HookRejection

HOOK = "/hooks/kopje-koffie.phone"


@pytest.fixture
def line(admin_api, tenant, db, clock):
    """A generic phone line: queue "support" → the Front team, extension 201 → the agent, who is at work."""
    made = admin_api.put(
        "/api/v1/phone/line",
        json={
            "abandoned_after_seconds": 30,
            "queues": {"support": str(tenant.team_id), "back": str(tenant.other_team_id)},
            "extensions": {"201": str(tenant.agent.id)},
        },
    )
    assert made.status_code == 200, made.text
    tenant.customer.phone = "06-12345678"  # as an agent once typed it
    set_presence(
        db=db, actor=tenant.agent, agent_id=tenant.agent.id, presence=Presence.AVAILABLE, at=clock.now()
    )
    db.commit()
    return made.json()


def signed(secret: str, body: bytes, at: int) -> dict[str, str]:
    digest = hmac.new(secret.encode(), f"{at}.".encode() + body, hashlib.sha256).hexdigest()
    return {"X-Attent-Signature": f"t={at},v1={digest}", "content-type": "application/json"}


def post(app_client, line, clock, *events):
    body = json.dumps(list(events)).encode()
    response = app_client.post(
        HOOK, content=body, headers=signed(line["secret"], body, int(clock.now().timestamp()))
    )
    assert response.status_code == 202, response.text
    return response.json()


def ev(clock, call, seq, type_, seconds=0, **fields):
    at = (clock.now() + timedelta(seconds=seconds)).isoformat()
    return {"type": type_, "call_id": call, "sequence": seq, "at": at, **fields}


def call_of(admin_api, call_id):
    found = admin_api.get(f"/api/v1/phone/calls/{call_id}")
    assert found.status_code == 200, found.text
    return found.json()


def test_the_line_tells_its_address_and_secret_once(line, admin_api):
    assert line["url_path"] == HOOK and line["secret"].startswith("whsec_")
    assert admin_api.get("/api/v1/phone/line").json()["secret"] is None


def test_an_answered_call_that_ends_normally_is_a_contact_on_the_customers_open_case(
    app_client, line, admin_api, tenant, db, clock
):
    answer = post(
        app_client, line, clock,
        ev(clock, "CA1", 0, "ringing", to="+31201234567", queue="support", **{"from": "+31 6 1234 5678"}),
        ev(clock, "CA1", 1, "answered", 12, agent="201"),
        ev(clock, "CA1", 2, "ended", 200, hangup_by="caller", cause="normal", duration=188),
    )  # fmt: skip
    assert answer["accepted"] == 3 and answer["duplicates"] == 0
    call = call_of(admin_api, "CA1")
    assert call["number"] == "+31612345678" and call["customer_id"] == str(tenant.customer.id)
    assert call["case_id"] == str(tenant.case.id)  # the open case, not a new one
    assert call["outcome"] == "ended" and call["promise_id"] is None
    contact = db.get(Contact, (tenant.organisation_id, uuid.UUID(call["contact_id"])))
    assert contact.agent_id == tenant.agent.id and contact.outcome.value == "ended"
    assert contact.ended_at - contact.started_at == timedelta(seconds=200)


def test_a_dropped_call_is_a_call_back_owned_by_the_agent_at_once(
    app_client, line, admin_api, tenant, db, clock
):
    post(
        app_client, line, clock,
        ev(clock, "CA2", 0, "ringing", **{"from": "0612345678"}),
        ev(clock, "CA2", 1, "answered", 5, agent=tenant.agent.email),
        ev(clock, "CA2", 2, "ended", 60, hangup_by="system", cause="network"),
    )  # fmt: skip
    call = call_of(admin_api, "CA2")
    assert call["outcome"] == "dropped"
    promise = db.get(Promise, (tenant.organisation_id, uuid.UUID(call["promise_id"])))
    assert promise.kind.value == "callback" and promise.owner_id == tenant.agent.id
    assert promise.state is PromiseState.OPEN and promise.case_id == tenant.case.id


def test_ended_before_answered_gives_the_same_result_and_repeats_change_nothing(
    app_client, line, admin_api, tenant, db, clock
):
    ringing = ev(clock, "CA3", 0, "ringing", **{"from": "0612345678"})
    answered = ev(clock, "CA3", 1, "answered", 5, agent="201")
    ended = ev(clock, "CA3", 2, "ended", 60, cause="network")
    post(app_client, line, clock, ringing, ended)
    waiting = call_of(admin_api, "CA3")
    assert waiting["settled_at"] is None and waiting["promise_id"] is None  # it waits for sequence 1
    again = post(app_client, line, clock, answered, ended, ringing)
    assert again["duplicates"] == 2
    call = call_of(admin_api, "CA3")
    assert call["outcome"] == "dropped" and call["agent_id"] == str(tenant.agent.id)
    assert (
        db.scalar(
            select(func.count())
            .select_from(Promise)
            .where(Promise.contact_id == uuid.UUID(call["contact_id"]))
        )
        == 1
    )
    assert (
        db.scalar(
            select(func.count()).select_from(Contact).where(Contact.id == uuid.UUID(call["contact_id"]))
        )
        == 1
    )


def test_a_missing_event_before_ended_is_settled_by_the_worker_with_what_arrived(
    app_client, line, admin_api, clock, database
):
    post(app_client, line, clock, ev(clock, "CA4", 1, "answered", agent="201", **{"from": "0612345678"}),
         ev(clock, "CA4", 2, "ended", 30, cause="normal"))  # fmt: skip
    assert call_of(admin_api, "CA4")["settled_at"] is None  # sequence 0 (ringing) never came
    clock.advance(timedelta(seconds=31))
    assert (
        settle_calls(database=database, now=clock.now(), limit=10, settings=app_client.app.state.settings)
        == 1
    )
    call = call_of(admin_api, "CA4")
    assert call["outcome"] == "ended" and call["problems"]["settled_with_missing_events"] is True


def test_a_caller_who_gave_up_after_waiting_long_gets_a_team_call_back_and_a_short_wait_none(
    app_client, line, admin_api, tenant, db, clock
):
    post(app_client, line, clock,
         ev(clock, "CA5", 0, "ringing", **{"from": "+31 20 555 0101", "queue": "back"}),
         ev(clock, "CA5", 1, "ended", 95, hangup_by="caller"),
         ev(clock, "CA6", 0, "ringing", **{"from": "+31 20 555 0202", "queue": "back"}),
         ev(clock, "CA6", 1, "ended", 10, hangup_by="caller"))  # fmt: skip
    long, short = call_of(admin_api, "CA5"), call_of(admin_api, "CA6")
    assert long["outcome"] == short["outcome"] == "abandoned"
    promise = db.get(Promise, (tenant.organisation_id, uuid.UUID(long["promise_id"])))
    assert promise.owner_id is None and promise.team_id == tenant.other_team_id  # the queue's team
    assert short["promise_id"] is None
    assert long["problems"] == {"new_customer": "+31205550101"} and long["case_id"] != str(tenant.case.id)


def test_withheld_international_and_unknown_extensions_are_handled_visibly(
    app_client, line, admin_api, db, clock, tenant
):
    post(app_client, line, clock,
         ev(clock, "CA7", 0, "ringing", **{"from": "anonymous", "queue": "nowhere"}),
         ev(clock, "CA7", 1, "answered", 3, agent="999"),
         ev(clock, "CA7", 2, "ended", 40, cause="network"),
         ev(clock, "CA8", 0, "ringing", **{"from": "0044 20 7946 0958"}))  # fmt: skip
    withheld = call_of(admin_api, "CA7")
    assert withheld["number"] is None and withheld["promise_id"] is None  # nobody to call back
    assert withheld["problems"]["withheld_number"] == "anonymous"
    assert (
        withheld["problems"]["unknown_agent"] == "999" and withheld["problems"]["unknown_queue"] == "nowhere"
    )
    customer = db.get(Customer, (tenant.organisation_id, uuid.UUID(withheld["customer_id"])))
    assert customer.name == "Beller zonder nummer"  # the organisation's language
    assert call_of(admin_api, "CA8")["number"] == "+442079460958"


def test_unsigned_or_stale_events_are_refused_and_recorded(app_client, line, admin_api, clock):
    body = json.dumps(ev(clock, "CA9", 0, "ringing")).encode()
    assert (
        app_client.post(HOOK, content=body, headers={"content-type": "application/json"}).status_code == 401
    )
    stale = signed(line["secret"], body, int(clock.now().timestamp()) - 600)
    refused = app_client.post(HOOK, content=body, headers=stale)
    assert refused.status_code == 401 and refused.json()["code"] == "stale_timestamp"
    reasons = [r["reason"] for r in admin_api.get("/api/v1/phone/line").json()["rejections"]]
    assert sorted(reasons) == ["missing_signature", "stale_timestamp"]
    assert admin_api.get("/api/v1/phone/calls").json() == []


def test_bad_events_name_the_field(app_client, line, clock):
    body = json.dumps([ev(clock, "X", 0, "ended", cause="meteor")]).encode()
    response = app_client.post(
        HOOK, content=body, headers=signed(line["secret"], body, int(clock.now().timestamp()))
    )
    assert response.status_code == 422
    assert any("cause" in e["path"] for e in response.json()["errors"])


def test_a_transcript_before_its_call_is_held_then_attached_and_scored_without_punctuation(
    app_client, line, admin_api, db, clock, tenant
):
    lines = [
        {"speaker": "agent", "text": "goedemiddag u spreekt met anna waarmee kan ik u helpen"},
        {"speaker": "customer", "text": "ja mijn pakket is nooit aangekomen en ik wacht al een week"},
        {"speaker": "agent", "text": "dat is vervelend ik kijk het even na ik bel u binnen een uur terug"},
    ]
    held = post(app_client, line, clock, ev(clock, "CB1", 3, "transcript", 120, lines=lines))
    assert held["queued"] == 1 and call_of(admin_api, "CB1")["contact_id"] is None  # no call to add it to
    post(app_client, line, clock,
         ev(clock, "CB1", 0, "ringing", **{"from": "0612345678"}),
         ev(clock, "CB1", 1, "answered", 5, agent="201"),
         ev(clock, "CB1", 2, "ended", 100))  # fmt: skip
    contact_id = uuid.UUID(call_of(admin_api, "CB1")["contact_id"])
    texts = db.scalars(
        select(Message.text).where(Message.contact_id == contact_id).order_by(Message.at)
    ).all()
    assert len(texts) == 3 and texts[0].startswith("goedemiddag")
    post(app_client, line, clock, ev(clock, "CB1", 3, "transcript", 120, lines=lines))  # a repeat
    assert db.scalar(select(func.count()).select_from(Message).where(Message.contact_id == contact_id)) == 3
    assert score_ended_contacts(database=app_client.app.state.db, now=clock.now()) >= 1
    card = admin_api.get(f"/api/v1/coach/contacts/{contact_id}/scorecard")
    assert card.status_code == 200, card.text
    assert card.json()["lines"] == 3


def test_an_outbound_call_through_the_telephone_system_keeps_the_call_back(
    app_client, line, admin_api, db, clock, tenant
):
    post(app_client, line, clock,
         ev(clock, "CC1", 0, "ringing", **{"from": "0612345678"}),
         ev(clock, "CC1", 1, "answered", 5, agent="201"),
         ev(clock, "CC1", 2, "ended", 60, cause="network"))  # fmt: skip
    promise_id = uuid.UUID(call_of(admin_api, "CC1")["promise_id"])
    clock.advance(timedelta(minutes=5))
    post(app_client, line, clock,
         ev(clock, "CC2", 0, "ringing", direction="outbound", to="+31612345678", agent="201"),
         ev(clock, "CC2", 1, "answered", 8, agent="201"),
         ev(clock, "CC2", 2, "ended", 120, hangup_by="agent"))  # fmt: skip
    db.expire_all()
    assert db.get(Promise, (tenant.organisation_id, promise_id)).state is PromiseState.KEPT


def test_a_burst_posted_twice_in_any_order_makes_each_call_once(
    app_client, line, admin_api, db, clock, tenant, database
):
    events = []
    for n in range(60):
        number = f"+3120555{n:04d}"
        events += [
            ev(clock, f"B{n}", 0, "ringing", **{"from": number}),
            ev(clock, f"B{n}", 1, "answered", 2, agent="201"),
            ev(clock, f"B{n}", 2, "ended", 30),
        ]
    first = post(app_client, line, clock, *events[::2])
    assert first["accepted"] == first["queued"] == 90  # kept at once, done right after the answer
    settings = app_client.app.state.settings
    second = post(app_client, line, clock, *reversed(events))
    assert second["duplicates"] == 90 and second["queued"] == 90
    calls = admin_api.get("/api/v1/phone/calls", params={"limit": 100}).json()
    assert len(calls) == 60 and {c["outcome"] for c in calls} == {"ended"}
    contacts = db.scalar(
        select(func.count()).select_from(Contact).where(Contact.organisation_id == tenant.organisation_id)
    )
    assert contacts == 60
    assert take_queued_events(database=database, now=clock.now(), limit=1000, settings=settings) == 0


def test_events_a_stopped_process_left_queued_are_done_by_the_worker(
    app_client, line, admin_api, db, clock, tenant, database
):
    events = [ev(clock, "W1", 0, "ringing", **{"from": "0612345678"}), ev(clock, "W1", 1, "answered", 2,
              agent="201"), ev(clock, "W1", 2, "ended", 30, cause="network")]  # fmt: skip
    phone_line = find_line(db=db, organisation_id=tenant.organisation_id)
    kept = receive(db=db, line=phone_line, events=validate(events), at=clock.now())  # kept, never done
    db.commit()
    assert kept.queued == 3 and admin_api.get("/api/v1/phone/calls").json() == []
    settings = app_client.app.state.settings
    assert take_queued_events(database=database, now=clock.now(), limit=100, settings=settings) == 3
    call = call_of(admin_api, "W1")
    assert call["outcome"] == "dropped" and call["promise_id"]
    assert take_queued_events(database=database, now=clock.now(), limit=100, settings=settings) == 0


def twilio_post(app_client, fields, token, query="queue=support&agent=201"):
    url = f"http://testserver{HOOK}?{query}"
    sig = twilio.signature(token, url, fields)
    return app_client.post(url, content=urlencode(fields), headers={
        "content-type": "application/x-www-form-urlencoded", "X-Twilio-Signature": sig})  # fmt: skip


def test_twilio_status_callbacks_become_the_same_call(app_client, admin_api, tenant, db, clock):
    token = "twilio-auth-token-1234"
    put = admin_api.put("/api/v1/phone/line", json={
        "provider": "twilio", "twilio_auth_token": token, "extensions": {"201": str(tenant.agent.id)},
        "queues": {"support": str(tenant.team_id)}})  # fmt: skip
    assert put.status_code == 200 and put.json()["has_twilio_auth_token"], put.text
    set_presence(
        db=db, actor=tenant.agent, agent_id=tenant.agent.id, presence=Presence.AVAILABLE, at=clock.now()
    )
    db.commit()
    stamp = clock.now().strftime("%a, %d %b %Y %H:%M:%S +0000")
    base = {"AccountSid": "AC123", "CallSid": "CA5f1e", "From": "+31612345678", "To": "+31201234567",
            "Direction": "inbound", "Timestamp": stamp, "CallbackSource": "call-progress-events"}  # fmt: skip
    for seq, status in enumerate(["ringing", "in-progress", "failed"]):
        fields = {**base, "CallStatus": status, "SequenceNumber": str(seq)}
        response = twilio_post(app_client, fields, token)
        assert response.status_code == 202, response.text
    call = call_of(admin_api, "CA5f1e")
    assert call["outcome"] == "dropped" and call["number"] == "+31612345678"
    assert (
        db.get(Promise, (tenant.organisation_id, uuid.UUID(call["promise_id"]))).owner_id == tenant.agent.id
    )
    forged = twilio_post(
        app_client, {**base, "CallStatus": "completed", "SequenceNumber": "3"}, "wrong-token-0000"
    )
    assert forged.status_code == 401 and forged.json()["code"] == "bad_signature"
    assert (
        db.scalar(select(func.count()).select_from(HookRejection).where(HookRejection.source == "phone")) == 1
    )


@pytest.fixture
def agent_page(app_client, tenant):
    """A browser-like client signed in as the tenant's agent."""
    app_client.get("/signin")
    signed_in = app_client.post(
        "/signin",
        data={
            "email": tenant.agent.email,
            "password": "correct horse battery",
            "csrf": app_client.cookies.get("attent_csrf"),
        },
        follow_redirects=False,
    )
    assert signed_in.status_code == 303
    return app_client


def test_the_incoming_call_panel_shows_the_callers_brief_while_it_rings_and_in_hand(
    agent_page, line, api, tenant, clock
):
    due = clock.now() + timedelta(hours=2)
    api.post(f"/api/v1/cases/{tenant.case.id}/promises", json={"kind": "callback", "due_at": due.isoformat()})
    assert agent_page.get("/me/calls/panel").text.strip() == ""
    assert 'data-calls="/me/calls/live"' in agent_page.get("/").text
    post(agent_page, line, clock, ev(clock, "CP1", 0, "ringing", agent="201", **{"from": "06 12345678"}))
    panel = agent_page.get("/me/calls/panel").text
    assert "Inkomend gesprek" in panel and "Marieke Visser" in panel and "+31612345678" in panel
    assert f'href="/cases/{tenant.case.id}"' in panel and "Zending nooit aangekomen" in panel
    assert "terugbellen" in panel  # what was promised
    post(agent_page, line, clock, ev(clock, "CP1", 1, "answered", 4, agent="201"))
    assert "Aan de lijn" in agent_page.get("/me/calls/panel").text
    post(agent_page, line, clock, ev(clock, "CP1", 2, "ended", 90, hangup_by="agent"))
    assert agent_page.get("/me/calls/panel").text.strip() == ""


def test_calls_ringing_for_a_colleague_stay_off_my_panel(app_client, line, tenant, clock, db):
    post(
        app_client,
        line,
        clock,
        ev(clock, "CP2", 0, "ringing", agent=tenant.lead.email, **{"from": "0612345678"}),
    )
    app_client.get("/signin")
    app_client.post("/signin", data={"email": tenant.agent.email, "password": "correct horse battery",
                                     "csrf": app_client.cookies.get("attent_csrf")})  # fmt: skip
    assert app_client.get("/me/calls/panel").text.strip() == ""


def test_a_live_post_leaves_nothing_for_the_worker(app_client, line, clock, database):
    post(app_client, line, clock, ev(clock, "L1", 0, "ringing", **{"from": "0612345678"}))
    settings = app_client.app.state.settings
    assert take_queued_events(database=database, now=clock.now(), limit=100, settings=settings) == 0


def test_a_transferred_call_that_drops_is_the_call_back_of_whoever_had_it_last(
    app_client, line, admin_api, tenant, db, clock
):
    lead = tenant.lead
    set_presence(db=db, actor=lead, agent_id=lead.id, presence=Presence.AVAILABLE, at=clock.now())
    db.commit()
    post(
        app_client, line, clock,
        ev(clock, "CT1", 0, "ringing", **{"from": "0612345678"}),
        ev(clock, "CT1", 1, "answered", 5, agent="201"),
        ev(clock, "CT1", 2, "transferred", 60, target=tenant.lead.email),
        ev(clock, "CT1", 3, "ended", 200, cause="error"),
    )  # fmt: skip
    call = call_of(admin_api, "CT1")
    assert call["outcome"] == "dropped" and call["agent_id"] == str(tenant.lead.id)
    assert db.get(Promise, (tenant.organisation_id, uuid.UUID(call["promise_id"]))).owner_id == tenant.lead.id
    kinds = [e["kind"] for e in admin_api.get(f"/api/v1/cases/{call['case_id']}/timeline").json()["items"]]
    assert "call.answered" in kinds and "call.transferred" in kinds
