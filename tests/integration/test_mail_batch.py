"""A fetched batch is ingested set-based: a handful of statements for the whole batch, not ~26 per message,
with the same outcome as one message at a time (threads within the batch, one acknowledgement per case,
lists held, a message stored before counted as a duplicate)."""

import logging

import pytest
from sqlalchemy import func, select

from attent.cases import Case, CaseStatus
from attent.channels import OutboundMessage
from attent.contacts.models import Contact
from attent.contacts.service import waiting_since
from attent.core.settings import Settings
from attent.customers import Customer
from attent.mailboxes import InboundMail, MailState
from attent.mailboxes.batch import receive_batch
from attent.mailboxes.ingest import receive
from attent.mailboxes.schemas import MailboxIn
from attent.mailboxes.service import create_mailbox
from attent.promises import Promise
from attent.promises.next_due import next_due
from attent.timeline.models import TimelineEvent
from tests.mail_samples import load

SETTINGS = Settings(embedded_worker=False, mail_idle=False)


def question(n: int) -> bytes:
    return (
        f"From: Klant {n} <klant{n}@example.nl>\r\nTo: support@kopjekoffie.nl\r\nSubject: Vraag {n}\r\n"
        f"Message-ID: <vraag-{n}@example.nl>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        f"Mijn bestelling {n} is er niet.\r\n"
    ).encode()


def reply(n: int) -> bytes:
    return (
        f"From: Klant {n} <klant{n}@example.nl>\r\nTo: support@kopjekoffie.nl\r\nSubject: Re: Vraag {n}\r\n"
        f"Message-ID: <antwoord-{n}@example.nl>\r\nIn-Reply-To: <vraag-{n}@example.nl>\r\n"
        f"Content-Type: text/plain; charset=utf-8\r\n\r\nNog steeds niets.\r\n"
    ).encode()


@pytest.fixture
def box(db, tenant, clock):
    data = MailboxIn(
        address="support@kopjekoffie.nl", team_id=tenant.team_id, imap_host="imap.example",
        imap_username="support", imap_password="x",
    )  # fmt: skip
    mailbox = create_mailbox(
        db=db, actor=tenant.admin, data=data, secret_key="dev-only-change-me", at=clock.now()
    )
    db.flush()
    return mailbox


def count(db, model, *where):
    return db.scalar(select(func.count()).select_from(model).where(*where))


def test_a_batch_lands_as_one_message_at_a_time_would_in_a_handful_of_statements(
    db, box, tenant, clock, queries_captured, caplog
):
    org = tenant.organisation_id
    receive(db=db, mailbox=box, raw=question(0), settings=SETTINGS, at=clock.now())  # an earlier question
    raws = [question(n) for n in range(1, 21)] + [reply(n) for n in range(0, 21)]
    raws += [question(1), load("mailing_list"), load("auto_reply"), load("malformed"), load("inline_image")]
    db.flush()
    with caplog.at_level(logging.ERROR), queries_captured() as queries:
        stored = receive_batch(db=db, mailbox=box, raws=raws, settings=SETTINGS, at=clock.now())
    assert not [r for r in caplog.records if "one message at a time" in r.getMessage()]  # no fallback
    # One by one this was ~1,100 statements (about 26 a message); set-based, a few per table per segment
    # (the malformed message is taken alone, between two segments).
    assert len(queries) <= 80, "\n".join(q.split("\n")[0][:100] for q in queries)
    assert stored == len(raws) - 1  # the copy of question 1 is a duplicate

    mails = db.scalars(select(InboundMail).where(InboundMail.organisation_id == org)).all()
    with_files = [m for m in mails if m.details.get("attachment_ids")]
    assert len(with_files) == 2 and all(m.case_id for m in with_files)  # on their cases, after the flush
    states = dict(
        db.execute(
            select(InboundMail.state, func.count())
            .where(InboundMail.organisation_id == org)
            .group_by(InboundMail.state)
        ).all()
    )
    assert states[MailState.THREADED] >= 42 and states[MailState.HELD] >= 1
    for n in range(0, 21):  # each reply is on its question's case, even when both came in this batch
        asked, answered = (
            db.scalar(
                select(InboundMail.case_id).where(
                    InboundMail.organisation_id == org, InboundMail.message_id == i
                )
            )
            for i in (f"<vraag-{n}@example.nl>", f"<antwoord-{n}@example.nl>")
        )
        assert asked is not None and asked == answered
    cases = db.scalars(select(Case).where(Case.organisation_id == org, Case.subject.like("Vraag %"))).all()
    assert len(cases) == 21 and {c.status for c in cases} == {CaseStatus.OPEN}
    assert count(db, Customer, Customer.organisation_id == org, Customer.email.like("klant%")) == 21
    assert (
        count(db, Contact, Contact.organisation_id == org, Contact.case_id.in_([c.id for c in cases])) == 42
    )
    # One acknowledgement and one answer-time promise per case: the replies are not acknowledged again.
    on_them = [c.id for c in cases]
    assert count(db, Promise, Promise.case_id.in_(on_them), Promise.source == "email") == 21
    acks = db.scalars(select(OutboundMessage).where(OutboundMessage.case_id.in_(on_them))).all()
    assert len(acks) == 21 and all(a.data["mail"]["in_reply_to"].startswith("<vraag-") for a in acks)
    case_1 = next(c for c in cases if c.subject == "Vraag 1")
    kinds = db.scalars(
        select(TimelineEvent.kind)
        .where(TimelineEvent.organisation_id == org, TimelineEvent.case_id == case_1.id)
        .order_by(TimelineEvent.at, TimelineEvent.id)
    ).all()
    assert kinds[0] == "case.created" and kinds.count("message.added") == 2 and "promise.made" in kinds
    # The queue's keys on the case rows are kept as one message at a time keeps them.
    db.expire_all()
    keys = db.execute(
        select(Case.waiting_since, waiting_since(org), Case.next_promise_due, next_due(org)).where(
            Case.organisation_id == org, Case.id.in_(on_them)
        )
    ).all()
    assert all(stored == defined and stored is not None for stored, defined, _, _ in keys)
    assert all(stored == defined and stored is not None for _, _, stored, defined in keys)


def test_a_message_another_worker_stored_meanwhile_is_stored_once(db, box, tenant, clock, monkeypatch):
    from attent.mailboxes import batch

    receive(db=db, mailbox=box, raw=question(5), settings=SETTINGS, at=clock.now())  # the other worker
    db.flush()
    real = batch._look_up

    def before_the_other_worker(*args):  # our look-up ran just before the other worker's commit
        known = real(*args)
        known.message_ids.clear()
        return known

    monkeypatch.setattr(batch, "_look_up", before_the_other_worker)
    stored = receive_batch(
        db=db, mailbox=box, raws=[question(5), question(6)], settings=SETTINGS, at=clock.now()
    )
    assert stored == 1  # the unique Message-ID refused the copy; the batch went on one by one
    org = tenant.organisation_id
    assert (
        count(
            db,
            InboundMail,
            InboundMail.organisation_id == org,
            InboundMail.message_id == "<vraag-5@example.nl>",
        )
        == 1
    )
    assert (
        count(
            db,
            InboundMail,
            InboundMail.organisation_id == org,
            InboundMail.message_id == "<vraag-6@example.nl>",
        )
        == 1
    )
    assert count(db, Customer, Customer.organisation_id == org, Customer.email == "klant5@example.nl") == 1
