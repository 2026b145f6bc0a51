"""What the policy suggests for a failure case (first failure vs third), and the month's budget.

Worked out when the case page or the API asks, from the case and the customer's recent cases: it is
two small indexed queries, and a suggestion nobody acted on needs no row of its own.
"""

import uuid
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from attent.cases import Case, CaseStatus
from attent.core.i18n import gettext
from attent.recovery.models import Gesture, GestureState
from attent.recovery.policy import catalogue_of, month_of, organisation, policy_of
from attent.recovery.schemas import Budget, Catalogue, CatalogueGesture, SuggestedGesture, Suggestion

SPENT = (GestureState.GRANTED, GestureState.DONE)


def budget(*, db: Session, organisation_id: uuid.UUID, at: datetime) -> Budget:
    """This local month's budget: granted so far, waiting for approval, and what is left."""
    org = organisation(db, organisation_id)
    catalogue = catalogue_of(org)
    month, start, end = month_of(at, org.timezone)
    spent = db.scalar(
        select(func.coalesce(func.sum(Gesture.cost_cents), 0)).where(
            Gesture.organisation_id == organisation_id,
            Gesture.state.in_(SPENT),
            Gesture.granted_at >= start,
            Gesture.granted_at < end,
        )
    )
    pending = db.scalar(
        select(func.coalesce(func.sum(Gesture.cost_cents), 0)).where(
            Gesture.organisation_id == organisation_id, Gesture.state == GestureState.PENDING_APPROVAL
        )
    )
    return Budget(
        month=month,
        currency=catalogue.currency,
        monthly_budget_cents=catalogue.monthly_budget_cents,
        spent_cents=int(spent or 0),
        pending_cents=int(pending or 0),
        remaining_cents=catalogue.monthly_budget_cents - int(spent or 0),
        approval_threshold_cents=catalogue.approval_threshold_cents,
    )


def needs_approval(item: CatalogueGesture, catalogue: Catalogue, left: Budget) -> bool:
    """Above the threshold, or more than the month has left: a lead decides."""
    return item.cost_cents > catalogue.approval_threshold_cents or item.cost_cents > left.remaining_cents


def find_item(catalogue: Catalogue, code: str) -> CatalogueGesture | None:
    """The catalogue's gesture with this code."""
    return next((g for g in catalogue.gestures if g.code == code), None)


def failures_of(*, db: Session, case: Case, failure_types: list[str], period_days: int) -> int:
    """How many failure cases the customer had in the period up to this one, this one included."""
    since = case.created_at - timedelta(days=period_days)
    count = db.scalar(
        select(func.count()).where(
            Case.organisation_id == case.organisation_id,
            Case.customer_id == case.customer_id,
            Case.type.in_(failure_types),
            Case.created_at >= since,
            Case.created_at <= case.created_at,
        )
    )
    return int(count or 0)


def _reason(language: str, failures: int, days: int, impact: bool, priority: str) -> str:
    if failures == 1:
        text = gettext(language, "First failure for this customer in {days} days.", days=days)
    elif failures == 2:
        text = gettext(language, "Second failure for this customer in {days} days.", days=days)
    else:
        text = gettext(language, "Failure {n} for this customer in {days} days.", n=failures, days=days)
    if impact:
        text += " " + gettext(
            language, "High impact (priority {priority}): one step up.", priority=gettext(language, priority)
        )
    return text


def suggestion_for(*, db: Session, case: Case, language: str, at: datetime) -> Suggestion | None:
    """The ladder's gestures for a failure case that has none yet; None for other cases."""
    org = organisation(db, case.organisation_id)
    policy, catalogue = policy_of(org), catalogue_of(org)
    if case.type not in policy.failure_types or case.status is CaseStatus.CLOSED:
        return None
    has_any = db.scalar(
        select(Gesture.id)
        .where(Gesture.organisation_id == case.organisation_id, Gesture.case_id == case.id)
        .limit(1)
    )
    if has_any is not None:
        return None
    failures = failures_of(
        db=db, case=case, failure_types=policy.failure_types, period_days=policy.period_days
    )
    impact = case.priority in policy.impact_priorities
    reachable = [i for i, rung in enumerate(policy.ladder) if rung.failures <= max(failures, 1)]
    index = min((reachable[-1] if reachable else 0) + impact, len(policy.ladder) - 1)
    left = budget(db=db, organisation_id=case.organisation_id, at=at)
    gestures = []
    for code in policy.ladder[index].gestures:
        item = find_item(catalogue, code)
        if item is None:  # checked on save; a hand-edited setting must not break the case page
            continue
        gestures.append(
            SuggestedGesture(
                code=item.code,
                kind=item.kind,
                name=item.name.in_language(language),
                cost_cents=item.cost_cents,
                currency=item.currency,
                needs_approval=needs_approval(item, catalogue, left),
            )
        )
    return Suggestion(
        case_id=case.id,
        gestures=gestures,
        failures=failures,
        period_days=policy.period_days,
        impact=impact,
        reason=_reason(language, failures, policy.period_days, impact, case.priority.value),
    )
