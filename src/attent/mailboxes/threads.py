"""Which case a message belongs to: by the ids it answers, else by the case reference in its subject.

Only the message's own organisation is searched, so a forged `In-Reply-To` that names another
organisation's message finds nothing and starts a new case. The ids searched are every Message-ID we
received (`inbound_mails`) and sent (the outbox); the nearest one answered wins.
"""

import re
import uuid

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from attent.cases import Case
from attent.channels.service import cases_of_message_ids
from attent.mail import ParsedMail
from attent.mailboxes.models import CaseReference, InboundMail

PREFIX = "K"
REFERENCE = re.compile(rf"^{PREFIX}-(\d{{1,12}})$", re.IGNORECASE)


def case_for(*, db: Session, organisation_id: uuid.UUID, parsed: ParsedMail) -> Case | None:
    """The case a message answers, or None for a new need."""
    ids = list(parsed.thread_ids)
    if ids:
        received = dict(
            db.execute(
                select(InboundMail.message_id, InboundMail.case_id).where(
                    InboundMail.organisation_id == organisation_id,
                    InboundMail.message_id.in_(ids),
                    InboundMail.case_id.is_not(None),
                )
            ).all()
        )
        sent = cases_of_message_ids(db=db, organisation_id=organisation_id, message_ids=ids)
        for message_id in ids:
            case_id = received.get(message_id) or sent.get(message_id)
            if case_id is not None:
                return db.get(Case, (organisation_id, case_id))
    if parsed.case_reference:
        match = REFERENCE.match(parsed.case_reference)
        if match:
            case_id = db.scalar(
                select(CaseReference.case_id).where(
                    CaseReference.organisation_id == organisation_id, CaseReference.number == int(match[1])
                )
            )
            if case_id is not None:
                return db.get(Case, (organisation_id, case_id))
    return None


def reference_of(*, db: Session, case: Case) -> str:
    """The case's reference for subjects (`K-1042`), given it the first time it is asked for."""
    number = db.scalar(
        select(CaseReference.number).where(
            CaseReference.organisation_id == case.organisation_id, CaseReference.case_id == case.id
        )
    )
    if number is None:
        highest = db.scalar(
            select(func.max(CaseReference.number)).where(
                CaseReference.organisation_id == case.organisation_id
            )
        )
        number = (highest or 1000) + 1
        db.add(CaseReference(organisation_id=case.organisation_id, case_id=case.id, number=number))
        db.flush()
    return f"{PREFIX}-{number}"
