"""Every e-mail gets an honest answer time, as a promise the customer is told about, and our mail threads:
the acknowledgement and the agent's reply carry Message-ID, In-Reply-To, References and [#K-…], leave
from the mailbox's address, quote the customer's last message, and only automatic mail is Auto-Submitted."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from attent.cases import Case, Priority
from attent.channels import OutboundMessage
from attent.channels.jobs import deliver_due_messages
from attent.contacts.service import reply_by_email
from attent.core.settings import Settings
from attent.mailboxes import InboundMail
from attent.mailboxes.answer_time import answer_by
from attent.mailboxes.ingest import receive
from attent.mailboxes.schemas import MailboxIn
from attent.mailboxes.service import create_mailbox
from attent.promises import Promise, PromiseKind, PromiseSource, PromiseState
from tests.mail_samples import load

SETTINGS = Settings(embedded_worker=False, mail_idle=False)
AMSTERDAM = "Europe/Amsterdam"


def mail(n: int, *, headers: str = "", body: str = "Waar blijft mijn bestelling?") -> bytes:
    return (
        "From: Joost Bakker <joost@bakkerij.example>\r\nTo: support@kopjekoffie.nl\r\n"
        "Subject: Mijn bestelling\r\n"
        f"Message-ID: <bericht-{n}@bakkerij.example>\r\nDate: Mon, 23 Nov 2026 09:55:00 +0100\r\n{headers}"
        f"Content-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n"
    ).encode()


@pytest.fixture
def box(db, tenant, clock):
    data = MailboxIn(
        address="support@kopjekoffie.nl", display_name="Kopje Koffie Klantenservice",
        imap_host="imap.example", imap_username="support", imap_password="x",
    )  # fmt: skip
    mailbox = create_mailbox(
        db=db, actor=tenant.admin, data=data, secret_key="dev-only-change-me", at=clock.now()
    )
    db.flush()
    return mailbox


def take(db, box, raw, clock):
    return receive(db=db, mailbox=box, raw=raw, settings=SETTINGS, at=clock.now())


def promises_of(db, case_id):
    return db.scalars(select(Promise).where(Promise.case_id == case_id)).all()


def outbox_of(db, case_id):
    query = (
        select(OutboundMessage).where(OutboundMessage.case_id == case_id).order_by(OutboundMessage.created_at)
    )
    return db.scalars(query).all()


@pytest.mark.parametrize(
    ("at", "priority", "expected"),
    [
        (datetime(2026, 11, 23, 9, 0, tzinfo=UTC), Priority.NORMAL, "2026-11-24 10:00"),  # Mon 10:00 + 8 h
        (datetime(2026, 11, 27, 15, 7, tzinfo=UTC), Priority.NORMAL, "2026-11-30 16:15"),  # Fri 16:07 → Mon
        (datetime(2026, 11, 28, 11, 0, tzinfo=UTC), Priority.URGENT, "2026-11-30 10:00"),  # Saturday → Mon
        (datetime(2026, 11, 23, 6, 0, tzinfo=UTC), Priority.HIGH, "2026-11-23 13:00"),  # before opening
    ],
)
def test_the_answer_time_counts_business_hours_per_priority(at, priority, expected):
    due = answer_by(settings={}, timezone=AMSTERDAM, priority=priority, at=at)
    assert due.strftime("%Y-%m-%d %H:%M") == expected


def test_the_organisation_sets_its_reply_targets_and_hours():
    settings = {
        "mail": {"reply_hours": {"normal": 2}},
        "coach": {"business_hours": {"days": [0, 1, 2, 3, 4, 5], "start": "08:00", "end": "12:00"}},
    }
    due = answer_by(
        settings=settings,
        timezone=AMSTERDAM,
        priority=Priority.NORMAL,
        at=datetime(2026, 11, 28, 10, 30, tzinfo=UTC),
    )
    assert due.strftime("%a %H:%M") == "Mon 09:30"  # Saturday 11:30: 30 min left that day, 1.5 h Monday


def test_a_new_e_mail_is_acknowledged_with_a_promise_the_customer_is_told(db, box, tenant, clock):
    got = take(db, box, mail(1), clock)
    [promise] = promises_of(db, got.case_id)
    assert (promise.kind, promise.source, promise.state) == (
        PromiseKind.FOLLOW_UP,
        PromiseSource.EMAIL,
        PromiseState.OPEN,
    )
    assert promise.due_by == datetime(2026, 11, 24, 9, 0, tzinfo=UTC)  # Tuesday 10:00 in Amsterdam
    [ack] = outbox_of(db, got.case_id)
    assert ack.template == "mail_received" and ack.recipient == "joost@bakkerij.example"
    assert "We hebben uw e-mail ontvangen. U hoort morgen uiterlijk om 10:00 van ons." in ack.body
    assert ack.subject == "Re: Mijn bestelling [#K-1001]"
    assert ack.data["mail"]["in_reply_to"] == "<bericht-1@bakkerij.example>"
    assert ack.data["mail"]["from_address"] == "support@kopjekoffie.nl"
    take(db, box, mail(2, headers="In-Reply-To: <bericht-1@bakkerij.example>\r\n"), clock)
    assert len(promises_of(db, got.case_id)) == 1 and len(outbox_of(db, got.case_id)) == 1  # told once


def test_auto_replies_and_lists_get_no_acknowledgement(db, box, clock):
    first = take(db, box, mail(1), clock)
    auto = take(
        db,
        box,
        mail(2, headers="Auto-Submitted: auto-replied\r\nIn-Reply-To: <bericht-1@bakkerij.example>\r\n"),
        clock,
    )
    assert auto.case_id == first.case_id
    assert take(db, box, load("mailing_list"), clock).case_id is None
    assert len(outbox_of(db, first.case_id)) == 1


def test_the_acknowledgement_and_the_agents_reply_go_out_as_e_mail_should(
    db, database, box, tenant, clock, mailbox
):
    got = take(db, box, mail(1), clock)
    db.commit()
    settings = mailbox.settings()
    assert deliver_due_messages(database=database, now=clock.now(), limit=20, settings=settings) == 1
    [ack] = mailbox.messages
    assert ack["From"] == "Kopje Koffie Klantenservice <support@kopjekoffie.nl>"
    assert (ack["In-Reply-To"], ack["References"]) == (
        "<bericht-1@bakkerij.example>",
        "<bericht-1@bakkerij.example>",
    )
    assert ack["Auto-Submitted"] == "auto-replied" and "[#K-1001]" in ack["Subject"]
    assert ack.get_body(("html",)) is not None and ack.get_body(("plain",)) is not None

    clock.advance(timedelta(hours=1))
    case = db.get(Case, (tenant.organisation_id, got.case_id))
    case.team_id = tenant.team_id
    reply = "Het pakket <komt> morgen.\n\nGroet,\nAgent"
    reply_by_email(db=db, actor=tenant.agent, case_id=case.id, text=reply, at=clock.now())
    db.commit()
    assert deliver_due_messages(database=database, now=clock.now(), limit=20, settings=settings) == 1
    answer = mailbox.messages[-1]
    assert answer["Auto-Submitted"] is None  # a person wrote it
    assert answer["In-Reply-To"] == "<bericht-1@bakkerij.example>"
    assert answer["References"].split() == ["<bericht-1@bakkerij.example>", ack["Message-ID"]]
    assert answer["Subject"] == "Re: Mijn bestelling [#K-1001]"
    plain = answer.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert tenant.agent.name in plain
    assert "Op 23 nov 2026 10:00 schreef Joost Bakker:\n> Waar blijft mijn bestelling?" in plain
    html = answer.get_body(("html",)).get_content()
    assert "&lt;komt&gt;" in html and "<blockquote>Waar blijft mijn bestelling?</blockquote>" in html
    db.expire_all()
    [promise] = promises_of(db, got.case_id)
    assert promise.state is PromiseState.KEPT  # the reply reached the customer: the answer time was kept

    back = take(db, box, mail(3, headers=f"In-Reply-To: {answer['Message-ID']}\r\n"), clock)
    assert back.case_id == got.case_id and not back.new_case


def test_a_bounce_marks_our_message_failed_and_the_address_bouncing(db, box, tenant, clock, api):
    from attent.channels.models import MessageState
    from attent.channels.service import queue_message
    from attent.mailboxes.ingest import bouncing
    from attent.mailboxes.models import MailState

    sent = queue_message(
        db=db, case=tenant.case, customer=tenant.customer, template="reply", key="reply:bounce",
        at=clock.now(),
        values={"text": "Uw retour is binnen.", "agent_name": "Agent", "organisation": "Kopje",
                "customer_name": "Marieke", "case_subject": tenant.case.subject},
    )  # fmt: skip
    sent.message_id = "<01937f10-2a3b-7c4d-8e5f-6a7b8c9d0e12@attent>"  # the one the fixture's report returns
    sent.state, sent.next_attempt_at = MessageState.SENT, None
    got = take(db, box, load("bounce_dsn"), clock)
    assert (got.state, got.case_id) == (MailState.BOUNCE, tenant.case.id)
    db.refresh(sent)
    assert sent.state is MessageState.FAILED and "5.1.1" in sent.last_error
    assert bouncing(db=db, organisation_id=tenant.organisation_id, address="m.visser@example.nl")
    assert not bouncing(db=db, organisation_id=tenant.organisation_id, address="marieke@kopje-koffie.example")
    db.commit()
    kinds = [e["kind"] for e in api.get(f"/api/v1/cases/{tenant.case.id}/timeline").json()["items"]]
    assert "message.failed" in kinds and "mail.bounced" in kinds
    brief = api.get(f"/api/v1/cases/{tenant.case.id}/brief").text
    assert "NOT reach the customer" in brief or "NIET" in brief


def test_the_case_page_shows_the_thread_and_the_full_original_on_request(db, box, tenant, clock, app_client):
    from tests.conftest import Api

    quoted = (
        "Nog steeds niets.\r\n\r\nOp ma 23 nov 2026 om 09:00 schreef Kopje <support@kopjekoffie.nl>:\r\n> Oud"
    )
    got = take(db, box, mail(1, body="<script>alert(1)</script> Waar blijft het?"), clock)
    take(db, box, mail(2, body=quoted, headers="In-Reply-To: <bericht-1@bakkerij.example>\r\n"), clock)
    db.get(Case, (tenant.organisation_id, got.case_id)).team_id = tenant.team_id
    db.commit()
    agent = Api(app_client, tenant.tokens["agent"])
    page = agent.get(f"/cases/{got.case_id}")
    assert page.status_code == 200 and "E-mailgesprek" in page.text
    assert (
        "&lt;script&gt;alert(1)&lt;/script&gt; Waar blijft het?" in page.text
        and "<script>alert" not in page.text
    )
    assert "Nog steeds niets." in page.text and "&gt; Oud" not in page.text  # the new text only
    assert "Automatisch bericht" in page.text and "U hoort" in page.text  # the acknowledgement
    mails = db.scalars(
        select(InboundMail.id)
        .where(InboundMail.case_id == got.case_id)
        .order_by(InboundMail.received_at, InboundMail.message_id)
    ).all()
    full = agent.get(f"/mail/{mails[1]}")
    assert full.status_code == 200 and "&gt; Oud" in full.text and "Het volledige bericht" in full.text
    original = agent.get(f"/mail/{mails[1]}/original")
    assert original.headers["content-disposition"].startswith("attachment;")
    assert "sandbox" in original.headers["content-security-policy"] and b"> Oud" in original.content
    outsider = Api(app_client, tenant.tokens["outsider"])  # not in the case's team
    assert outsider.get(f"/mail/{mails[1]}").status_code == 404


def test_the_admin_sees_the_mail_that_was_put_aside(db, box, tenant, clock, app_client):
    from tests.conftest import Api

    take(db, box, load("mailing_list"), clock)
    broken = take(db, box, b"\x00\xff not a message", clock)
    db.commit()
    admin = Api(app_client, tenant.tokens["admin"])
    page = admin.get(f"/admin/mailboxes/{box.id}")
    assert "Mailinglijst of massamail" in page.text and "Kon niet worden gelezen" in page.text
    assert admin.get(f"/mail/{broken.mail_id}").status_code == 200
    assert Api(app_client, tenant.tokens["agent"]).get(f"/mail/{broken.mail_id}").status_code == 404


def test_the_coach_scores_an_e_mail_reply_as_it_scores_a_chat(db, box, tenant, clock):
    from attent.coach.models import ContactScorecard
    from attent.coach.scoring import score_all_due
    from attent.contacts import Contact

    got = take(db, box, mail(1), clock)
    db.get(Case, (tenant.organisation_id, got.case_id)).team_id = tenant.team_id
    text = (
        "Wat vervelend dat uw bestelling nog niet binnen is. "
        "Ik zoek het nu uit en u hoort morgen voor 12:00 van mij."
    )
    contact = reply_by_email(db=db, actor=tenant.agent, case_id=got.case_id, text=text, at=clock.now())
    assert contact.ended_at == clock.now()
    score_all_due(db=db, now=clock.now())
    card = db.scalar(select(ContactScorecard).where(ContactScorecard.contact_id == contact.id))
    assert card is not None
    inbound = db.scalar(select(Contact).where(Contact.case_id == got.case_id, Contact.agent_id.is_(None)))
    assert db.scalar(select(ContactScorecard).where(ContactScorecard.contact_id == inbound.id)) is None


def test_a_bounce_reopens_the_promise_the_bounced_reply_had_kept(
    db, database, box, tenant, clock, mailbox, api
):
    got = take(db, box, mail(1), clock)
    db.commit()
    settings = mailbox.settings()
    deliver_due_messages(database=database, now=clock.now(), limit=20, settings=settings)  # the ack
    clock.advance(timedelta(hours=1))
    case = db.get(Case, (tenant.organisation_id, got.case_id))
    case.team_id = tenant.team_id
    reply_by_email(db=db, actor=tenant.agent, case_id=case.id, text="Het komt morgen.", at=clock.now())
    db.commit()
    assert deliver_due_messages(database=database, now=clock.now(), limit=20, settings=settings) == 1
    db.expire_all()
    [promise] = promises_of(db, got.case_id)
    assert promise.state is PromiseState.KEPT  # on delivery

    clock.advance(timedelta(minutes=10))  # the customer's server returns the reply
    answer = mailbox.messages[-1]
    bounce = load("bounce_dsn").replace(
        b"<01937f10-2a3b-7c4d-8e5f-6a7b8c9d0e12@attent>", answer["Message-ID"].encode()
    )
    take(db, box, bounce, clock)
    db.commit()
    db.expire_all()
    [promise] = promises_of(db, got.case_id)
    assert promise.state is PromiseState.OPEN and promise.closed_at is None  # owed again
    kinds = [e["kind"] for e in api.get(f"/api/v1/cases/{case.id}/timeline").json()["items"]]
    assert kinds.index("promise.reopened") > kinds.index("promise.kept")
    brief = api.get(f"/api/v1/cases/{case.id}/brief").json()
    assert [p["promise_id"] for p in brief["open_promises"]] == [str(promise.id)]
    assert "NIET" in str(brief) or "NOT" in str(brief)
