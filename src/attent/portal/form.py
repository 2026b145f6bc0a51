"""The web form: a question from the shop's site becomes a case with an honest promise of an answer.

Spam is kept out without a third-party captcha: a honeypot field people do not see (a bot that fills
it is answered as if it worked, and nothing is kept), a signed time stamp from when the form was shown
(sent back sooner than `FASTEST` is a script; older than a day, a stale page), and a limit per e-mail
address and per IP address per hour.
"""

import hashlib
import hmac
import uuid
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from attent.cases import open_customer_case
from attent.channels.service import case_path, queue_message
from attent.contacts import Channel, record_customer_message
from attent.core.errors import FieldError, Invalid, RateLimited
from attent.core.i18n import gettext
from attent.core.when import say_when
from attent.customers.service import add_reaching_customer, find_by_email, refs_of
from attent.organisations import Organisation
from attent.organisations.service import opening_hours
from attent.portal.models import FormSubmission
from attent.promises import PromiseKind, PromiseSource
from attent.promises.service import create

FASTEST = timedelta(seconds=3)  # nobody reads a form, types a question and sends it sooner
STALEST = timedelta(days=1)
PER_ADDRESS_PER_HOUR = 5
PER_IP_PER_HOUR = 20
ANSWER_WITHIN = timedelta(hours=4)  # of business hours, unless the organisation says otherwise


@dataclass(frozen=True)
class Hours:
    """When the organisation answers: weekdays (Monday = 0) and the hours of a working day."""

    days: tuple[int, ...]
    start: time
    end: time


@dataclass(frozen=True)
class Question:
    """What the customer filled in."""

    name: str
    email: str
    reference: str
    question: str
    language: str


@dataclass(frozen=True)
class Sent:
    """What the form answers: the case, and when we promised to answer (said as people say it)."""

    case_id: uuid.UUID
    contact_id: uuid.UUID  # the form's contact: the customer's files go with it
    due_by: datetime
    said: str


def form_stamp(key: str, organisation_id: uuid.UUID, now: float) -> str:
    """The signed time the form was shown (`now`, from the injectable clock), sent back with it."""
    shown = int(now)
    digest = hmac.new(key.encode(), f"form:{organisation_id}:{shown}".encode(), hashlib.sha256).hexdigest()
    return f"{shown}.{digest[:32]}"


def _check_stamp(key: str, organisation_id: uuid.UUID, stamp: str, at: datetime) -> None:
    shown, _, _digest = stamp.partition(".")
    valid = shown.isdigit() and hmac.compare_digest(form_stamp(key, organisation_id, int(shown)), stamp)
    if not valid:
        raise Invalid("form_stamp", "The form was not sent from our page; please fill it in again.")
    age = at.timestamp() - int(shown)
    if age < FASTEST.total_seconds():
        raise Invalid("form_too_fast", "That was very fast; please check your question and send it again.")
    if age > STALEST.total_seconds():
        raise Invalid("form_stale", "This form was opened too long ago; please send it again.")


def check(data: Question) -> None:
    """The fields a person must fill in, each named where it fails."""
    errors = []
    if not data.name.strip():
        errors.append(FieldError(("name",), "Please fill in your name."))
    if "@" not in data.email or len(data.email) > 254 or " " in data.email.strip():
        errors.append(FieldError(("email",), "Please fill in your e-mail address."))
    if not data.question.strip():
        errors.append(FieldError(("question",), "Please write your question."))
    elif len(data.question) > 10_000:
        errors.append(FieldError(("question",), "At most 10,000 characters."))
    if len(data.reference) > 60:
        errors.append(FieldError(("reference",), "At most 60 characters."))
    if len(data.name) > 200:
        errors.append(FieldError(("name",), "At most 200 characters."))
    if errors:
        raise Invalid("invalid_form", "Please check the form.", errors)


def _limit(db: Session, org: Organisation, email: str, remote: str, at: datetime) -> None:
    since = at - timedelta(hours=1)
    base = (
        select(func.count())
        .select_from(FormSubmission)
        .where(FormSubmission.organisation_id == org.id, FormSubmission.at > since)
    )
    by_address = db.scalar(base.where(FormSubmission.email == email)) or 0
    by_ip = db.scalar(base.where(FormSubmission.remote == remote)) or 0
    if by_address >= PER_ADDRESS_PER_HOUR or by_ip >= PER_IP_PER_HOUR:
        raise RateLimited(
            "form_rate_limited", "You sent us several questions just now; please try again later.",
            retry_at=at + timedelta(hours=1),
        )  # fmt: skip


def answer_due(org: Organisation, at: datetime, team_id: uuid.UUID | None = None) -> datetime:
    """When we can honestly promise an answer: `ANSWER_WITHIN` of business hours on: the case team's or the
    organisation's (`organisations.hours`: weekdays, Dutch public holidays, closed days)."""
    own = org.settings.get("portal") or {}
    within = timedelta(hours=float(own.get("answer_within_hours", ANSWER_WITHIN.total_seconds() / 3600)))
    if not own.get("business_hours"):
        hours_of = opening_hours(org.settings, org.timezone, team_id)
        return hours_of.add(at.replace(second=0, microsecond=0), within).astimezone(ZoneInfo(org.timezone))
    # the portal's own hours, as they were set before business hours had a place of their own
    stored = own["business_hours"]
    hours = Hours(
        days=tuple(stored.get("days", (0, 1, 2, 3, 4))),
        start=time.fromisoformat(stored.get("start", "09:00")),
        end=time.fromisoformat(stored.get("end", "17:00")),
    )
    zone = ZoneInfo(org.timezone)
    moment = at.astimezone(zone).replace(second=0, microsecond=0)  # a whole minute, said as it is kept
    left = within
    for _ in range(60):  # at most two months of days off
        start = moment.replace(hour=hours.start.hour, minute=hours.start.minute, second=0, microsecond=0)
        end = moment.replace(hour=hours.end.hour, minute=hours.end.minute, second=0, microsecond=0)
        if moment.weekday() in hours.days and moment < end:
            moment = max(moment, start)
            if moment + left <= end:
                return moment + left
            left -= end - moment
        moment = (moment + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return at + within  # no business days at all: plain hours


def _reference(db: Session, org: Organisation, customer_id: uuid.UUID, reference: str) -> str | None:
    """The reference the customer gave, as the case's description, matched against their references in
    other systems (an order number the shop knows them by) so the agent sees whether it is theirs."""
    if not reference:
        return None
    refs = refs_of(db=db, organisation_id=org.id, customer_ids=[customer_id])[customer_id]
    systems = sorted(system for system, value in refs.items() if value.lower() == reference.lower())
    if systems:
        return gettext(org.language, "Reference {reference} (known for this customer: {systems})",
                       reference=reference, systems=", ".join(systems))  # fmt: skip
    return gettext(
        org.language, "Reference {reference} (not among this customer's references)", reference=reference
    )


def _team(org: Organisation) -> uuid.UUID | None:
    """The team whose queue form questions go to (`settings.portal.team_id`), else the default team."""
    try:
        return uuid.UUID(str((org.settings.get("portal") or {}).get("team_id")))
    except ValueError:
        return None


def submit(
    *, db: Session, org: Organisation, data: Question, stamp: str, honeypot: str, remote: str, at: datetime,
    key: str, base_url: str,
) -> Sent | None:  # fmt: skip
    """Take a question from the form: customer found by e-mail (or added), a case in the organisation's
    default team with the inbound `web_form` contact, the promise of an answer, and the e-mail saying so.
    None: a bot filled the honeypot (answered as if it worked; nothing kept)."""
    check(data)
    _check_stamp(key, org.id, stamp, at)
    if honeypot.strip():
        return None
    email = data.email.strip().lower()
    _limit(db, org, email, remote, at)
    customer = find_by_email(db=db, organisation_id=org.id, email=email)
    if customer is None:
        customer = add_reaching_customer(
            db=db, organisation_id=org.id, name=data.name.strip(), email=email, language=data.language, at=at
        )
    first_line = " ".join(data.question.split())
    subject = first_line if len(first_line) <= 80 else first_line[:79] + "…"
    description = _reference(db, org, customer.id, data.reference.strip())
    case = open_customer_case(
        db=db, organisation_id=org.id, customer_id=customer.id, subject=subject, team_id=_team(org), at=at,
        source="web_form", description=description,
    )  # fmt: skip
    contact = record_customer_message(
        db=db, case=case, channel=Channel.WEB_FORM, text=data.question.strip(), at=at
    )
    due = answer_due(org, at, case.team_id)
    said = say_when(due, now=at, timezone=org.timezone, language=customer.language, sentence=True)
    create(
        db=db, case=case, kind=PromiseKind.FOLLOW_UP, due_by=due, at=at, actor=None, owner_id=None,
        words=said, source=PromiseSource.WEB_FORM,
    )  # fmt: skip
    db.add(FormSubmission(organisation_id=org.id, email=email, remote=remote[:64], case_id=case.id, at=at))
    queue_message(
        db=db, case=case, customer=customer, template="form_received", key=f"form:{case.id}", at=at,
        values={"customer_name": customer.name, "organisation": org.name, "when": said,
                "question": data.question.strip(), "case_subject": case.subject,
                "link": base_url.rstrip("/") + case_path(org.slug, case.id)},
    )  # fmt: skip
    db.flush()
    return Sent(case_id=case.id, contact_id=contact.id, due_by=due, said=said)
