"""Mail coming in: stored once by Message-ID, threaded onto the right case of the right organisation only,
a new customer and case for a new sender, lists, floods, bounces and unreadable mail kept aside."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from attent.cases import Case, CaseStatus, KeepChoice
from attent.cases.service import change_status
from attent.channels.service import queue_message
from attent.contacts import Contact, Direction, Message, Speaker
from attent.core.settings import Settings
from attent.customers import Customer
from attent.mailboxes import InboundMail, MailState
from attent.mailboxes.ingest import receive
from attent.mailboxes.schemas import MailboxIn
from attent.mailboxes.service import create_mailbox
from attent.mailboxes.threads import reference_of
from attent.promises.service import open_follow_up
from tests.mail_samples import load

SETTINGS = Settings(embedded_worker=False, mail_idle=False)


def mail(
    n: int,
    *,
    sender: str = "Joost Bakker <joost@bakkerij.example>",
    subject: str = "Mijn bestelling",
    body: str = "Waar blijft mijn bestelling?",
    headers: str = "",
) -> bytes:
    return (
        f"From: {sender}\r\nTo: support@kopjekoffie.nl\r\nSubject: {subject}\r\n"
        f"Message-ID: <bericht-{n}@bakkerij.example>\r\nDate: Mon, 23 Nov 2026 09:00:00 +0100\r\n{headers}"
        f"Content-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n"
    ).encode()


def make_mailbox(db, tenant, clock, address="support@kopjekoffie.nl"):
    data = MailboxIn(
        address=address, imap_host="imap.example", imap_username="support", imap_password="x",
        team_id=tenant.other_team_id,
    )  # fmt: skip
    mailbox = create_mailbox(
        db=db, actor=tenant.admin, data=data, secret_key="dev-only-change-me", at=clock.now()
    )
    db.flush()
    return mailbox


@pytest.fixture
def box(db, tenant, clock):
    return make_mailbox(db, tenant, clock)


def take(db, box, raw, clock):
    return receive(db=db, mailbox=box, raw=raw, settings=SETTINGS, at=clock.now())


def test_a_new_sender_becomes_a_customer_with_a_case_for_the_mailboxs_team(db, box, tenant, clock):
    got = take(db, box, mail(1), clock)
    assert (got.state, got.new_case, got.duplicate) == (MailState.THREADED, True, False)
    case = db.get(Case, (tenant.organisation_id, got.case_id))
    customer = db.get(Customer, (tenant.organisation_id, case.customer_id))
    assert (customer.name, customer.email) == ("Joost Bakker", "joost@bakkerij.example")
    assert (case.subject, case.type, case.team_id, case.status) == (
        "Mijn bestelling", "email", tenant.other_team_id, CaseStatus.OPEN,
    )  # fmt: skip
    [contact] = db.scalars(select(Contact).where(Contact.case_id == case.id)).all()
    assert (contact.channel.value, contact.direction, contact.agent_id) == ("email", Direction.INBOUND, None)
    [message] = db.scalars(select(Message).where(Message.contact_id == contact.id)).all()
    assert (message.speaker, message.text) == (Speaker.CUSTOMER, "Waar blijft mijn bestelling?")
    assert reference_of(db=db, case=case) == "K-1001"


def test_the_same_message_twice_is_stored_once(db, box, tenant, clock):
    first = take(db, box, mail(1), clock)
    again = take(db, box, mail(1), clock)
    assert again.duplicate and again.mail_id == first.mail_id
    count = db.scalar(
        select(func.count())
        .select_from(InboundMail)
        .where(InboundMail.organisation_id == tenant.organisation_id)
    )
    assert count == 1
    assert db.scalar(select(func.count()).select_from(Case).where(Case.subject == "Mijn bestelling")) == 1


def test_a_reply_lands_on_its_case_by_in_reply_to_showing_only_the_new_text(db, box, clock):
    first = take(db, box, mail(1), clock)
    quoted = (
        "Hij is er nog steeds niet.\r\n\r\n"
        "Op ma 23 nov 2026 om 09:00 schreef Joost <joost@bakkerij.example>:\r\n> Waar blijft mijn bestelling?"
    )
    answers = "In-Reply-To: <bericht-1@bakkerij.example>\r\n"
    reply = take(db, box, mail(2, subject="Re: Mijn bestelling", body=quoted, headers=answers), clock)
    assert reply.case_id == first.case_id and not reply.new_case
    texts = db.scalars(
        select(Message.text).where(Message.case_id == first.case_id).order_by(Message.at, Message.id)
    ).all()
    assert texts == ["Waar blijft mijn bestelling?", "Hij is er nog steeds niet."]
    stored = db.get(InboundMail, (box.organisation_id, reply.mail_id))
    assert "schreef Joost" in stored.full_text and b"schreef Joost" in stored.raw  # the full original is kept


def test_a_reply_to_our_own_message_and_a_case_reference_find_the_case(db, box, tenant, clock):
    sent = queue_message(
        db=db, case=tenant.case, customer=tenant.customer, template="reply", key="reply:test", at=clock.now(),
        values={"text": "Hallo", "agent_name": "Agent", "organisation": "Kopje", "customer_name": "M",
                "case_subject": tenant.case.subject},
    )  # fmt: skip
    by_id = take(db, box, mail(1, headers=f"References: <elders@x> {sent.message_id}\r\n"), clock)
    assert by_id.case_id == tenant.case.id
    reference = reference_of(db=db, case=tenant.case)
    by_subject = take(db, box, mail(2, subject=f"Re: [#{reference}] Zending"), clock)
    assert by_subject.case_id == tenant.case.id


def resolve(db, tenant, case, clock):
    open_ = open_follow_up(db=db, organisation_id=case.organisation_id, case_id=case.id)
    keep = [KeepChoice(promise_id=open_.id, action="keep")] if open_ else []
    change_status(db=db, actor=tenant.admin, case=case, to=CaseStatus.RESOLVED, at=clock.now(), promises=keep)


def test_a_resolved_case_reopens_and_a_closed_one_gets_a_new_linked_case(db, box, tenant, clock):
    first = take(db, box, mail(1), clock)
    case = db.get(Case, (tenant.organisation_id, first.case_id))
    resolve(db, tenant, case, clock)
    again = take(db, box, mail(2, headers="In-Reply-To: <bericht-1@bakkerij.example>\r\n"), clock)
    assert again.case_id == case.id and case.status is CaseStatus.OPEN
    resolve(db, tenant, case, clock)
    change_status(db=db, actor=tenant.admin, case=case, to=CaseStatus.CLOSED, at=clock.now())
    later = take(db, box, mail(3, headers="In-Reply-To: <bericht-2@bakkerij.example>\r\n"), clock)
    assert later.new_case and later.case_id != case.id
    follow_up = db.get(Case, (tenant.organisation_id, later.case_id))
    assert follow_up.customer_id == case.customer_id
    assert f"[#{reference_of(db=db, case=case)}]" in follow_up.description


def test_a_forged_in_reply_to_never_threads_across_organisations(db, box, tenant, other_tenant, clock):
    theirs = make_mailbox(db, other_tenant, clock, address="info@villa-oleander.example")
    their_mail = take(db, theirs, mail(1, sender="Gast <gast@example.nl>"), clock)
    sent = queue_message(
        db=db, case=other_tenant.case, customer=other_tenant.customer, template="reply", key="reply:other",
        at=clock.now(), values={"text": "Hallo", "agent_name": "A", "organisation": "V", "customer_name": "G",
                                "case_subject": "x"},
    )  # fmt: skip
    forged = mail(
        2, headers=f"In-Reply-To: <bericht-1@bakkerij.example>\r\nReferences: {sent.message_id}\r\n",
        subject=f"Re: [#{reference_of(db=db, case=other_tenant.case)}]",
    )  # fmt: skip
    ours = take(db, box, forged, clock)
    case = db.get(Case, (tenant.organisation_id, ours.case_id))
    assert ours.new_case and case is not None and case.organisation_id == tenant.organisation_id
    assert ours.case_id not in (their_mail.case_id, other_tenant.case.id)


def test_lists_auto_replies_without_a_case_bounces_and_unreadable_mail_are_kept_aside(db, box, tenant, clock):
    cases_before = db.scalar(
        select(func.count()).select_from(Case).where(Case.organisation_id == tenant.organisation_id)
    )
    assert take(db, box, load("mailing_list"), clock).state is MailState.HELD
    assert take(db, box, load("auto_reply"), clock).state is MailState.HELD
    assert take(db, box, load("bounce_dsn"), clock).state is MailState.BOUNCE
    broken = take(db, box, b"\x00\xff garbage without headers", clock)
    assert broken.state is MailState.UNREADABLE
    stored = db.get(InboundMail, (tenant.organisation_id, broken.mail_id))
    assert stored.raw == b"\x00\xff garbage without headers" and stored.details["problems"]
    cases_after = db.scalar(
        select(func.count()).select_from(Case).where(Case.organisation_id == tenant.organisation_id)
    )
    assert cases_after == cases_before


def test_an_auto_reply_to_one_of_our_cases_lands_there(db, box, clock):
    first = take(db, box, mail(1), clock)
    auto = take(
        db,
        box,
        mail(2, headers="Auto-Submitted: auto-replied\r\nIn-Reply-To: <bericht-1@bakkerij.example>\r\n"),
        clock,
    )
    assert (auto.state, auto.case_id) == (MailState.THREADED, first.case_id)


def test_a_sender_over_the_limit_is_held_back(db, box, clock):
    settings = Settings(embedded_worker=False, mail_sender_per_minute=3)
    states = [
        receive(db=db, mailbox=box, raw=mail(n), settings=settings, at=clock.now()).state for n in range(5)
    ]
    assert states == [MailState.THREADED] * 3 + [MailState.HELD] * 2
    clock.advance(timedelta(minutes=2))
    assert (
        receive(db=db, mailbox=box, raw=mail(9), settings=settings, at=clock.now()).state
        is MailState.THREADED
    )


@pytest.mark.parametrize(
    "name", ["gmail_reply_nl", "outlook_reply_nl", "iphone_reply_nl", "html_only", "windows1252", "rfc2047"]
)
def test_real_world_shapes_land_with_their_new_text(db, box, clock, name):
    got = take(db, box, load(name), clock)
    assert got.state is MailState.THREADED
    [text] = db.scalars(select(Message.text).where(Message.case_id == got.case_id)).all()
    assert text == got.parsed.new_text and "<" not in text[:1]
    assert "schreef" not in text and "Oorspronkelijk" not in text


def test_attachments_and_inline_images_are_stored_on_the_case(db, box, tenant, clock, tmp_path, monkeypatch):
    from attent.files import Attachment

    settings = Settings(embedded_worker=False, mail_idle=False, files_dir=tmp_path / "files")
    got = receive(db=db, mailbox=box, raw=load("inline_image"), settings=settings, at=clock.now())
    files = db.scalars(select(Attachment).where(Attachment.case_id == got.case_id)).all()
    assert files and all(f.uploaded_by.value == "customer" for f in files)
    assert any(f.content_type.startswith("image/") for f in files)
    stored = db.get(InboundMail, (tenant.organisation_id, got.mail_id))
    assert sorted(stored.details["attachment_ids"]) == sorted(str(f.id) for f in files)
    exe = receive(db=db, mailbox=box, raw=load("invoice_pdf_exe"), settings=settings, at=clock.now())
    flagged = db.scalars(select(Attachment).where(Attachment.case_id == exe.case_id)).all()
    assert any(f.dangerous for f in flagged)
