"""Honest expectations: customers hear what was promised and hear it from us when it slips, by real e-mail."""

import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import select

from attent.channels import jobs as channel_jobs
from attent.channels.channel import Envelope
from attent.channels.jobs import LEASE, deliver_due_messages
from attent.channels.models import MessageState, OutboundMessage
from attent.core.settings import Settings
from attent.promises import PromiseMade
from attent.promises.jobs import advance_due_promises
from attent.promises.models import Promise
from attent.promises.telling import tell_customer
from tests import factories as make
from tests.conftest import Api, free_port


def _tell_customers(admin_api: Api) -> None:
    response = admin_api.put("/api/v1/promise-settings", json={"tell_customer": True})
    assert response.status_code == 200, response.text
    assert response.json()["tell_customer"] is True


def _outbox(db):
    return list(db.scalars(select(OutboundMessage).order_by(OutboundMessage.created_at, OutboundMessage.id)))


def _deliver(database, clock, settings: Settings) -> int:
    return deliver_due_messages(database=database, now=clock.now(), limit=20, settings=settings)


def _timeline(api, case_id, prefix="message."):
    items = api.get(f"/api/v1/cases/{case_id}/timeline").json()["items"]
    return [e for e in items if e["kind"].startswith(prefix)]


def test_a_promise_made_is_mailed_to_the_customer_in_dutch_once(
    api, admin_api, tenant, clock, db, database, mailbox
):
    _tell_customers(admin_api)
    due = clock.now() + timedelta(minutes=30)  # 09:30 UTC is 10:30 in Amsterdam
    make.promise(api, tenant.case.id, kind="callback", due_at=due.isoformat(), words="Ik bel u zo terug")
    [queued] = _outbox(db)
    assert queued.state is MessageState.QUEUED and queued.recipient == "marieke@kopje-koffie.example"
    assert mailbox.messages == []  # nothing leaves before the worker, after commit

    assert _deliver(database, clock, mailbox.settings()) == 1
    assert _deliver(database, clock, mailbox.settings()) == 0  # nothing twice
    [mail] = mailbox.messages
    assert mail["To"] == "marieke@kopje-koffie.example"
    assert mail["Subject"] == "We bellen u vandaag uiterlijk om 10:30 terug (Kopje-Koffie)"
    assert mail["Message-ID"] == queued.message_id
    assert mail.get_content_type() == "text/plain"
    body = mail.get_content()
    assert "Beste Marieke Visser," in body and "We bellen u vandaag uiterlijk om 10:30 terug." in body
    assert '"Ik bel u zo terug"' in body and "Zending nooit aangekomen" in body
    db.expire_all()
    [sent] = _outbox(db)
    assert sent.state is MessageState.SENT and sent.sent_at == clock.now() and sent.next_attempt_at is None
    [event] = _timeline(api, tenant.case.id)
    assert event["kind"] == "message.sent" and event["data"]["subject"] == mail["Subject"]
    done = [d["summary"] for d in api.get(f"/api/v1/cases/{tenant.case.id}/brief").json()["done"]]
    assert f"Attent liet de klant weten (e-mail): {mail['Subject']}" in done


def test_an_english_customer_gets_english_and_a_window(api, admin_api, tenant, clock, database, mailbox):
    _tell_customers(admin_api)
    customer = api.post(
        "/api/v1/customers", json={"name": "Jane <b>Doe</b>", "email": "jane@example.com", "language": "en"}
    ).json()
    case = api.post("/api/v1/cases", json={"customer_id": customer["id"], "subject": "Refund"}).json()
    start = clock.now() + timedelta(days=1, hours=1)  # tomorrow 11:00 Amsterdam
    make.promise(
        api,
        case["id"],
        kind="follow_up",
        due_from=start.isoformat(),
        due_by=(start + timedelta(hours=2)).isoformat(),
    )
    assert _deliver(database, clock, mailbox.settings()) == 1
    [mail] = mailbox.messages
    assert mail["Subject"].startswith("You will hear from us tomorrow between 11:00 and 13:00")
    assert "Dear Jane <b>Doe</b>," in mail.get_content()  # plain text: the name is shown as typed


def test_messages_are_off_until_the_organisation_switches_them_on(api, tenant, clock, db):
    due = (clock.now() + timedelta(hours=2)).isoformat()
    response = api.post(
        f"/api/v1/cases/{tenant.case.id}/promises",
        json={"kind": "callback", "due_at": due, "tell_customer": True},
    )
    assert response.status_code == 409 and response.json()["code"] == "customer_messages_off"
    make.promise(api, tenant.case.id, kind="callback", due_at=due)
    assert _outbox(db) == []


def test_an_agent_may_leave_the_customer_out_of_it(api, admin_api, tenant, clock, db):
    _tell_customers(admin_api)
    due = (clock.now() + timedelta(hours=2)).isoformat()
    p = make.promise(api, tenant.case.id, kind="callback", due_at=due, tell_customer=False)
    assert p["tell_customer"] is False and _outbox(db) == []


def test_a_promise_at_risk_brings_an_honest_update_before_it_breaks(
    api, admin_api, tenant, clock, db, database, mailbox
):
    _tell_customers(admin_api)
    due = clock.now() + timedelta(hours=2)  # a two-hour promise turns at risk half an hour ahead
    make.promise(api, tenant.case.id, kind="follow_up", due_at=due.isoformat(), words="de factuur corrigeren")
    _deliver(database, clock, mailbox.settings())
    clock.advance(timedelta(minutes=89))
    assert advance_due_promises(database=database, now=clock.now()) == 0
    clock.advance(timedelta(minutes=1))
    assert advance_due_promises(database=database, now=clock.now()) == 1
    assert advance_due_promises(database=database, now=clock.now()) == 0
    assert _deliver(database, clock, mailbox.settings()) == 1
    made, update = mailbox.messages
    assert update["Subject"] == "Een eerlijke update over uw vraag (Kopje-Koffie)"
    body = update.get_content()
    assert "vandaag uiterlijk om 12:00" in body and "de factuur corrigeren" in body
    assert "U hoeft ons niet opnieuw te bellen" in body
    assert made["Message-ID"] != update["Message-ID"]


def test_a_promise_made_inside_its_warning_time_gets_no_update(api, admin_api, tenant, clock, db, database):
    _tell_customers(admin_api)
    due = clock.now() + timedelta(minutes=3)
    p = make.promise(api, tenant.case.id, kind="callback", due_at=due.isoformat())
    promise = db.get(Promise, (tenant.organisation_id, uuid.UUID(p["id"])))
    promise.at_risk_at = promise.check_at = promise.made_at  # as promises made before warnings scaled
    db.commit()
    advance_due_promises(database=database, now=clock.now())
    assert [m.template for m in _outbox(db)] == ["promise_made"]


def test_a_short_promise_is_on_track_when_made_and_warns_the_customer_only_when_it_slips(
    api, admin_api, tenant, clock, db, database
):
    _tell_customers(admin_api)
    due = clock.now() + timedelta(minutes=3)  # warns halfway: one and a half minutes ahead
    make.promise(api, tenant.case.id, kind="callback", due_at=due.isoformat())
    assert advance_due_promises(database=database, now=clock.now()) == 0
    clock.advance(timedelta(seconds=90))
    assert advance_due_promises(database=database, now=clock.now()) == 1
    assert [m.template for m in _outbox(db)] == ["promise_made", "promise_at_risk"]


def test_a_dropped_call_tells_the_customer_we_call_back(api, admin_api, tenant, clock, database, mailbox):
    _tell_customers(admin_api)
    api.put(f"/api/v1/agents/{tenant.agent.id}/presence", json={"presence": "available"})
    body = {
        "channel": "phone",
        "started_at": clock.now().isoformat(),
        "ended_at": (clock.now() + timedelta(minutes=4)).isoformat(),
        "outcome": "dropped",
    }
    assert api.post(f"/api/v1/cases/{tenant.case.id}/contacts", json=body).status_code == 201
    _deliver(database, clock, mailbox.settings())
    [mail] = mailbox.messages
    assert "Onze verbinding werd net verbroken" in mail.get_content()
    assert "We bellen u vandaag uiterlijk om 10:14 terug." in mail.get_content()


def test_a_refused_address_fails_for_good_and_the_brief_says_so(
    api, admin_api, tenant, clock, db, database, mailbox
):
    _tell_customers(admin_api)
    mailbox.refuse.add("marieke@kopje-koffie.example")
    make.promise(api, tenant.case.id, kind="callback", due_at=(clock.now() + timedelta(hours=1)).isoformat())
    assert _deliver(database, clock, mailbox.settings()) == 0
    db.expire_all()
    [failed] = _outbox(db)
    assert failed.state is MessageState.FAILED and failed.next_attempt_at is None
    assert "550" in (failed.last_error or "")
    [event] = _timeline(api, tenant.case.id)
    assert event["kind"] == "message.failed" and "No such mailbox" in event["data"]["reason"]
    done = [d["summary"] for d in api.get(f"/api/v1/cases/{tenant.case.id}/brief").json()["done"]]
    assert any(s.startswith("De klant is NIET bericht") for s in done)


def test_a_mail_server_that_is_down_means_trying_again_later(
    api, admin_api, tenant, clock, db, database, mailbox
):
    _tell_customers(admin_api)
    make.promise(api, tenant.case.id, kind="callback", due_at=(clock.now() + timedelta(hours=1)).isoformat())
    down = Settings(smtp_host="127.0.0.1", smtp_port=free_port(), smtp_timeout_seconds=2)
    assert _deliver(database, clock, down) == 0
    db.expire_all()
    [waiting] = _outbox(db)
    assert waiting.state is MessageState.QUEUED and waiting.attempts == 1 and waiting.last_error
    assert waiting.next_attempt_at is not None and waiting.next_attempt_at > clock.now()
    assert _deliver(database, clock, mailbox.settings()) == 0  # not before its next attempt
    clock.advance(waiting.next_attempt_at - clock.now())
    assert _deliver(database, clock, mailbox.settings()) == 1
    assert len(mailbox.messages) == 1


def test_without_a_mail_server_configured_the_message_is_marked_undeliverable(
    api, admin_api, tenant, clock, db, database
):
    _tell_customers(admin_api)
    make.promise(api, tenant.case.id, kind="callback", due_at=(clock.now() + timedelta(hours=1)).isoformat())
    assert _deliver(database, clock, Settings()) == 0
    [event] = _timeline(api, tenant.case.id)
    assert event["kind"] == "message.failed" and "ATTENT_SMTP_HOST" in event["data"]["reason"]


def test_a_customer_without_an_address_is_not_told_and_the_timeline_says_so(
    api, admin_api, tenant, clock, db
):
    _tell_customers(admin_api)
    customer = api.post("/api/v1/customers", json={"name": "Piet", "phone": "+31201234567"}).json()
    case = api.post("/api/v1/cases", json={"customer_id": customer["id"], "subject": "Bestelling"}).json()
    make.promise(api, case["id"], kind="callback", due_at=(clock.now() + timedelta(hours=1)).isoformat())
    assert _outbox(db) == []
    [event] = _timeline(api, case["id"])
    assert event["kind"] == "message.not_sent" and event["data"]["reason"] == "no_address"


def test_telling_twice_about_the_same_moment_queues_one_message(api, admin_api, tenant, clock, db):
    _tell_customers(admin_api)
    p = make.promise(
        api, tenant.case.id, kind="callback", due_at=(clock.now() + timedelta(hours=1)).isoformat()
    )
    promise = db.scalar(select(Promise).where(Promise.id == uuid.UUID(p["id"])))
    tell_customer(db=db, promise=promise, event=PromiseMade, at=clock.now())
    assert len(_outbox(db)) == 1


class Killed(BaseException):
    """The worker process dies (SIGKILL): nothing after this point runs, no handler catches it."""


class _Recorder:
    """A mail server that accepts everything; `kill_after` makes the worker die once that many went."""

    def __init__(self, kill_after: int | None = None) -> None:
        self.accepted: list[str] = []
        self.kill_after = kill_after

    @contextmanager
    def connect(self) -> Iterator["_Recorder"]:
        yield self

    def send(self, envelope: Envelope) -> None:
        self.accepted.append(envelope.message_id)  # the server said 250 OK...
        if len(self.accepted) == self.kill_after:
            raise Killed  # ...and the worker died before it could note that down


def test_a_worker_killed_while_sending_sends_at_most_one_message_twice(
    api, admin_api, tenant, clock, database, monkeypatch
):
    _tell_customers(admin_api)
    for hours in range(1, 6):
        make.promise(
            api, tenant.case.id, kind="callback", due_at=(clock.now() + timedelta(hours=hours)).isoformat()
        )
    server = _Recorder(kill_after=3)
    monkeypatch.setattr(channel_jobs, "channels_from", lambda settings: {"email": server})
    with pytest.raises(Killed):
        deliver_due_messages(database=database, now=clock.now(), limit=20, settings=Settings())
    server.kill_after = None
    clock.advance(LEASE + timedelta(seconds=1))  # the dead worker's lease runs out; another worker goes on
    assert deliver_due_messages(database=database, now=clock.now(), limit=20, settings=Settings()) == 3
    twice = [message_id for message_id, n in Counter(server.accepted).items() if n > 1]
    assert len(set(server.accepted)) == 5 and len(twice) == 1  # only the one in flight went again
