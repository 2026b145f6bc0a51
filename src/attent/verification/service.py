"""Checking who is on the line: compare an answer with the fact on file, limit and record the attempts.

Neither the stored value nor the answer is ever returned, logged or written down; the timeline says
only which question was asked and whether it matched.
"""

import hmac
import unicodedata
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from attent.agents import Agent, Role
from attent.agents.service import require_role
from attent.cases import Case
from attent.cases.service import get_case
from attent.core.errors import Conflict, FieldError, Invalid, RateLimited
from attent.customers import Customer, Hidden
from attent.customers.service import refs_of
from attent.organisations.service import get_organisation
from attent.timeline import TimelineEvent
from attent.timeline.service import record_case_event
from attent.verification.kinds import VerificationFailed, VerificationPassed
from attent.verification.policy import (
    FORBIDDEN,
    SETTINGS_KEY,
    by_sensitivity,
    check_policy,
    fact_parts,
)
from attent.verification.policy import policy_of as policy_of  # for the coach
from attent.verification.schemas import (
    Policy,
    Question,
    QuestionOnCase,
    VerificationAttempt,
    VerificationResult,
    VerificationStatus,
)


def normalise(text: str) -> str:
    """Compare what was meant: no case, no spaces, no diacritics ('Ö ster' == 'oster')."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return "".join(plain.casefold().split())


def get_policy(*, db: Session, organisation_id: uuid.UUID) -> Policy:
    """The organisation's verification policy (the default until an admin changes it)."""
    return policy_of(get_organisation(db=db, organisation_id=organisation_id).settings)


def hidden_details(*, db: Session, organisation_id: uuid.UUID) -> Hidden:
    """What the policy's questions check, and dates of birth and addresses: shown masked, only compared."""
    policy = get_policy(db=db, organisation_id=organisation_id)
    sources = frozenset(part for question in policy.questions for part in fact_parts(question.fact))
    return Hidden(sources=sources, fact_names=frozenset(FORBIDDEN))


def set_policy(*, db: Session, actor: Agent, policy: Policy) -> Policy:
    """Replace the organisation's policy; admins only, and never with date of birth or full address."""
    require_role(actor, Role.ADMIN)
    check_policy(policy)
    org = get_organisation(db=db, organisation_id=actor.organisation_id)
    org.settings = {**org.settings, SETTINGS_KEY: policy.model_dump(mode="json")}
    db.flush()
    return policy


def _on_file(customer: Customer, refs: dict[str, str], fact: str) -> str | None:
    """The normalised stored value a fact points at, or None when any part of it is missing."""
    values = []
    for part in fact_parts(fact):
        value: object = None
        if part == "customer.email":
            value = customer.email
        elif part == "customer.phone":
            value = customer.phone
        elif part.startswith("customer.refs."):
            value = refs.get(part.removeprefix("customer.refs."))
        elif part.startswith("customer.facts."):
            value = (customer.facts.get(part.removeprefix("customer.facts.")) or {}).get("value")
        normalised = normalise(str(value)) if value is not None else ""
        if not normalised:
            return None
        values.append(normalised)
    return "".join(values)


@dataclass(frozen=True)
class _Attempts:
    failed: list[datetime]  # wrong answers since the last match, within the window, oldest first
    passed: TimelineEvent | None


def _attempts(db: Session, case: Case, policy: Policy, at: datetime) -> _Attempts:
    """The case's wrong answers that still count, and its last match."""
    events = list(
        db.scalars(
            select(TimelineEvent)
            .where(
                TimelineEvent.organisation_id == case.organisation_id,
                TimelineEvent.case_id == case.id,
                TimelineEvent.kind.in_((VerificationPassed.name, VerificationFailed.name)),
            )
            .order_by(TimelineEvent.at, TimelineEvent.id)
        )
    )
    since = at - timedelta(minutes=policy.window_minutes)
    failed: list[datetime] = []
    passed = None
    for event in events:
        if event.kind == VerificationPassed.name:
            failed, passed = [], event  # a match wipes the slate
        elif event.at > since:
            failed.append(event.at)
    return _Attempts(failed, passed)


def _locked_until(failed: list[datetime], policy: Policy) -> datetime | None:
    """Locked once `max_failures` wrong answers fall in the window; open again when one leaves it."""
    if len(failed) < policy.max_failures:
        return None
    return failed[len(failed) - policy.max_failures] + timedelta(minutes=policy.window_minutes)


def _locked(policy: Policy, until: datetime) -> RateLimited:
    return RateLimited(
        "verification_locked",
        "{failures} wrong answers within {minutes} minutes; verification on "
        "this case is locked until {until}. Tell the customer when they can try again.",
        retry_at=until,
        failures=policy.max_failures,
        minutes=policy.window_minutes,
        until=until.isoformat(),
    )


def _customer(db: Session, case: Case) -> tuple[Customer, dict[str, str]]:
    customer = db.get(Customer, (case.organisation_id, case.customer_id))
    assert customer is not None  # the composite foreign key guarantees it
    refs = refs_of(db=db, organisation_id=case.organisation_id, customer_ids=[customer.id])[customer.id]
    return customer, refs


def verify(
    *, db: Session, actor: Agent, case_id: uuid.UUID, data: VerificationAttempt, at: datetime
) -> VerificationResult:
    """Compare the customer's answer with the fact on file in constant time; match or no match."""
    case = get_case(db=db, actor=actor, case_id=case_id)
    # One attempt at a time per case, so two quick wrong answers cannot both slip under the limit.
    db.execute(
        select(Case.id)
        .where(Case.organisation_id == case.organisation_id, Case.id == case.id)
        .with_for_update()
    )
    policy = get_policy(db=db, organisation_id=case.organisation_id)
    question = next((q for q in policy.questions if q.key == data.question), None)
    if question is None:
        keys = ", ".join(q.key for q in by_sensitivity(policy))
        raise Invalid(
            "unknown_question",
            "That question is not in the verification policy.",
            [FieldError(("question",), "Ask one of: {keys}.", {"keys": keys})],
        )
    attempts = _attempts(db, case, policy, at)
    locked_until = _locked_until(attempts.failed, policy)
    if locked_until is not None:
        raise _locked(policy, locked_until)
    customer, refs = _customer(db, case)
    stored = _on_file(customer, refs, question.fact)
    if stored is None:
        raise Conflict(
            "fact_not_on_file",
            "There is no {fact} on file for this customer; pick another question.",
            fact=question.label.model_dump(),
        )
    matched = hmac.compare_digest(normalise(data.answer).encode(), stored.encode())
    attempt = (VerificationPassed if matched else VerificationFailed)(
        question=question.key, label=question.label.model_dump(), sensitivity=question.sensitivity
    )
    record_case_event(db=db, case=case, event=attempt, at=at, actor=actor)
    db.flush()
    failed = [] if matched else [*attempts.failed, at]
    return VerificationResult(
        result="match" if matched else "no_match",
        attempts_left=max(0, policy.max_failures - len(failed)),
        locked_until=_locked_until(failed, policy),
        question=question.key,
        label=question.label.in_language(actor.language),
        why=question.why.in_language(customer.language),
    )


def _question_on_case(question: Question, on_file: bool, actor: Agent, customer: Customer) -> QuestionOnCase:
    return QuestionOnCase(
        key=question.key,
        label=question.label.in_language(actor.language),
        sensitivity=question.sensitivity,
        why=question.why.in_language(customer.language),
        on_file=on_file,
    )


def verification_status(*, db: Session, actor: Agent, case_id: uuid.UUID, at: datetime) -> VerificationStatus:
    """Verified or not, the attempts left, and the least sensitive question this customer can answer."""
    case = get_case(db=db, actor=actor, case_id=case_id)
    policy = get_policy(db=db, organisation_id=case.organisation_id)
    attempts = _attempts(db, case, policy, at)
    customer, refs = _customer(db, case)
    questions = [
        _question_on_case(q, _on_file(customer, refs, q.fact) is not None, actor, customer)
        for q in by_sensitivity(policy)
    ]
    passed = attempts.passed
    label = passed.data.get("label", {}) if passed is not None else {}
    return VerificationStatus(
        case_id=case.id,
        verified=passed is not None,
        verified_by=(label.get(actor.language) or label.get("nl")) if passed is not None else None,
        verified_at=passed.at if passed is not None else None,
        attempts_left=max(0, policy.max_failures - len(attempts.failed)),
        locked_until=_locked_until(attempts.failed, policy),
        suggested=next((q.key for q in questions if q.on_file), None),
        questions=questions,
    )
