"""How Attent's e-mail about a case is written so it threads: the channels domain asks (`EmailThreadOf`),
this answers from the case's mail (subscribed in `attent.wiring`).

The message comes from the mailbox the customer last wrote to (else the organisation's first active
one), carries the case's reference `[#K-…]` in its subject, answers the customer's last message
(In-Reply-To) and names the thread so far (References: what they sent and what we sent, oldest first,
at most MAX_REFERENCES, the first one always kept as RFC 5322 advises). An organisation without a
mailbox gets None: its messages stay as they were.
"""

from sqlalchemy import select
from sqlalchemy.orm import Session

from attent.cases import Case
from attent.channels import EmailThread, EmailThreadOf, SmtpOf, SmtpSettings
from attent.channels.service import messages_of_case
from attent.mailboxes.models import InboundMail, Mailbox, MailState
from attent.mailboxes.service import open_smtp_settings
from attent.mailboxes.threads import reference_of

MAX_REFERENCES = 20


def email_thread(db: Session, question: EmailThreadOf) -> EmailThread | None:
    """The sender, reference, threading ids and quote for an e-mail about one case."""
    organisation_id, case_id = question.organisation_id, question.case_id
    received = list(
        db.execute(
            select(InboundMail.message_id, InboundMail.received_at, InboundMail.mailbox_id, InboundMail.id)
            .where(
                InboundMail.organisation_id == organisation_id,
                InboundMail.case_id == case_id,
                InboundMail.state == MailState.THREADED,
            )
            .order_by(InboundMail.received_at, InboundMail.id)
        )
    )
    mailbox = None
    if received:
        mailbox = db.get(Mailbox, (organisation_id, received[-1].mailbox_id))
    if mailbox is None:
        mailbox = db.scalars(
            select(Mailbox)
            .where(Mailbox.organisation_id == organisation_id, Mailbox.active.is_(True))
            .order_by(Mailbox.created_at, Mailbox.id)
            .limit(1)
        ).first()
    if mailbox is None:
        return None
    case = db.get(Case, (organisation_id, case_id))
    assert case is not None
    sent = messages_of_case(db=db, organisation_id=organisation_id, case_id=case_id)
    # Oldest first; at the same moment what they wrote comes before what we answered to it.
    ordered = sorted(
        [(r.received_at, 0, r.message_id) for r in received] + [(m.created_at, 1, m.message_id) for m in sent]
    )
    thread = [message_id for _, _, message_id in ordered]
    references = tuple(dict.fromkeys(thread))
    if len(references) > MAX_REFERENCES:
        references = (references[0], *references[-(MAX_REFERENCES - 1) :])
    last = db.get(InboundMail, (organisation_id, received[-1].id)) if received else None
    return EmailThread(
        from_address=mailbox.address,
        from_name=mailbox.display_name or None,
        reference=reference_of(db=db, case=case),
        in_reply_to=last.message_id if last else None,
        references=references,
        quote=last.new_text if last else None,
        quote_from=(last.from_name or last.from_address) if last else None,
        quote_at=last.received_at if last else None,
    )


def smtp_of(db: Session, question: SmtpOf) -> SmtpSettings | None:
    """The SMTP server mail from one of our mailbox addresses leaves through: the mailbox's own, its
    password opened now (at send time); None when the mailbox has none (the server's ATTENT_SMTP_*)."""
    mailbox = db.scalars(
        select(Mailbox).where(
            Mailbox.organisation_id == question.organisation_id,
            Mailbox.address == question.from_address.strip().lower(),
        )
    ).first()
    if mailbox is None:
        return None
    return open_smtp_settings(mailbox, secret_key=question.secret_key)
