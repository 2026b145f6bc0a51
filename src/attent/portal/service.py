"""The customer page: sign-in links e-mailed to the customer, their sessions, and what they may see.

A link is single-use, expires after `LINK_MINUTES`, and is bound to the address it was sent to: if the
customer's address changed since, it no longer signs in. Only hashes of links and session cookies are
kept. Everything a customer sees is read through `customer_case`, which names their organisation and
themselves, so no page reaches another customer's case (nor another organisation's).
"""

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from attent.cases import Case
from attent.channels.service import queue_message
from attent.contacts import Channel
from attent.contacts.service import record_customer_message
from attent.core.errors import Invalid, NotFound, Unauthenticated
from attent.customers import Customer
from attent.customers.service import find_by_email
from attent.organisations import Organisation
from attent.portal.form import PER_ADDRESS_PER_HOUR
from attent.portal.models import CustomerSession, SignInLink
from attent.promises import Promise
from attent.timeline import TimelineEvent

LINK_MINUTES = 30
SESSION_DAYS = 7
COOKIE = "attent_customer"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def send_link(
    *, db: Session, org: Organisation, email: str, at: datetime, base_url: str, next_path: str | None = None
) -> None:
    """E-mail a sign-in link if a customer of the organisation has this address; say nothing either way
    (the page answers the same, so nobody learns who is a customer)."""
    customer = find_by_email(db=db, organisation_id=org.id, email=email)
    if customer is None or customer.email is None:
        return
    recent = db.scalars(
        select(SignInLink.id).where(
            SignInLink.organisation_id == org.id,
            SignInLink.customer_id == customer.id,
            SignInLink.created_at > at - timedelta(hours=1),
        )
    ).all()
    if len(recent) >= PER_ADDRESS_PER_HOUR:
        return  # enough links in the mailbox already; more would be a way to flood it
    token = secrets.token_urlsafe(32)
    link = SignInLink(
        organisation_id=org.id, customer_id=customer.id, email=customer.email, token_hash=_hash(token),
        next_path=next_path if next_path and next_path.startswith(f"/help/{org.slug}/") else None,
        created_at=at, expires_at=at + timedelta(minutes=LINK_MINUTES),
    )  # fmt: skip
    db.add(link)
    db.flush()
    case = db.scalar(
        select(Case)
        .where(Case.organisation_id == org.id, Case.customer_id == customer.id)
        .order_by(Case.updated_at.desc())
        .limit(1)
    )
    if case is not None:  # the outbox sends for a case; a customer without any has nothing to see yet
        queue_message(
            db=db, case=case, customer=customer, template="signin_link", key=f"signin:{link.id}", at=at,
            values={"customer_name": customer.name, "organisation": org.name, "minutes": LINK_MINUTES,
                    "link": f"{base_url}/help/{org.slug}/in/{token}"},
        )  # fmt: skip


def use_link(*, db: Session, org: Organisation, token: str, at: datetime) -> tuple[str, str | None]:
    """Spend a link: a new session's cookie value and where to go; refused when used, expired, another
    organisation's, or its address is no longer the customer's."""
    link = db.scalar(select(SignInLink).where(SignInLink.token_hash == _hash(token)).with_for_update())
    refused = Unauthenticated(
        "signin_link_invalid", "This sign-in link is used or expired; ask for a new one."
    )
    if link is None or link.organisation_id != org.id or link.used_at is not None or link.expires_at <= at:
        raise refused
    customer = db.get(Customer, (org.id, link.customer_id))
    if customer is None or (customer.email or "").lower() != link.email.lower():
        raise refused
    link.used_at = at
    cookie = secrets.token_urlsafe(32)
    db.add(
        CustomerSession(
            organisation_id=org.id,
            customer_id=customer.id,
            token_hash=_hash(cookie),
            created_at=at,
            expires_at=at + timedelta(days=SESSION_DAYS),
        )
    )
    db.flush()
    return cookie, link.next_path


def signed_in(*, db: Session, org: Organisation, cookie: str | None, at: datetime) -> Customer | None:
    """The customer whose session this cookie is, in this organisation (None: signed out)."""
    if not cookie:
        return None
    session = db.scalar(select(CustomerSession).where(CustomerSession.token_hash == _hash(cookie)))
    if session is None or session.organisation_id != org.id or session.expires_at <= at:
        return None
    return db.get(Customer, (org.id, session.customer_id))


def sign_out(*, db: Session, cookie: str | None) -> None:
    """End the session (the cookie no longer signs in)."""
    if cookie:
        session = db.scalar(select(CustomerSession).where(CustomerSession.token_hash == _hash(cookie)))
        if session is not None:
            db.delete(session)
            db.flush()


def customer_cases(*, db: Session, customer: Customer) -> list[Case]:
    """The customer's own cases in their organisation, most recently active first."""
    return list(
        db.scalars(
            select(Case)
            .where(Case.organisation_id == customer.organisation_id, Case.customer_id == customer.id)
            .order_by(Case.updated_at.desc(), Case.id.desc())
        )
    )


def customer_case(*, db: Session, customer: Customer, case_id: uuid.UUID) -> Case:
    """One of the customer's own cases; any other is 'not found'."""
    case = db.get(Case, (customer.organisation_id, case_id))
    if case is None or case.customer_id != customer.id:
        raise NotFound.of("case", case_id)
    return case


@dataclass(frozen=True)
class CaseView:
    """A case as the customer experienced it: the visible events, and every promise we made them."""

    case: Case
    events: list[TimelineEvent]
    promises: list[Promise]


def case_view(*, db: Session, customer: Customer, case_id: uuid.UUID) -> CaseView:
    """The conversation (customer-visible events only: no internal notes, verdicts, pending gestures) and
    every promise made on the case, with its due time and state."""
    case = customer_case(db=db, customer=customer, case_id=case_id)
    events = db.scalars(
        select(TimelineEvent)
        .where(
            TimelineEvent.organisation_id == case.organisation_id,
            TimelineEvent.case_id == case.id,
            TimelineEvent.customer_visible.is_(True),
        )
        .order_by(TimelineEvent.at, TimelineEvent.id)
    ).all()
    promises = db.scalars(
        select(Promise)
        .where(Promise.organisation_id == case.organisation_id, Promise.case_id == case.id)
        .order_by(Promise.due_by, Promise.id)
    ).all()
    return CaseView(case=case, events=list(events), promises=list(promises))


def reply(*, db: Session, customer: Customer, case_id: uuid.UUID, text: str, at: datetime) -> None:
    """The customer's reply from their page: a message on the case, as an e-mail reply would be."""
    case = customer_case(db=db, customer=customer, case_id=case_id)
    text = text.strip()
    if not text or len(text) > 10_000:
        raise Invalid("invalid_reply", "Please write your message (at most 10,000 characters).")
    record_customer_message(db=db, case=case, channel=Channel.WEB_FORM, text=text, at=at)
