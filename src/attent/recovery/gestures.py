"""A gesture's life: offered, granted (or sent to a lead for approval), approved, declined, done, scored.

Every change is a timeline event (the brief folds them in `briefs/recovery.py`). An agent grants
what the catalogue puts within the approval threshold and the month's budget; a lead approves the
rest, and every surprise for a happy occasion.
"""

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from attent.agents import Agent, Role
from attent.agents.service import require_role
from attent.cases import Case, CaseStatus
from attent.cases.service import get_case, visible_to
from attent.core.errors import Conflict, FieldError, Forbidden, Invalid, NotFound
from attent.core.i18n import Label
from attent.core.pagination import page
from attent.customers import Customer
from attent.promises import Promise, PromiseKind, PromiseState
from attent.promises.service import create as create_promise
from attent.promises.service import keep_promise
from attent.recovery.kinds import (
    GestureApprovalRequested,
    GestureApproved,
    GestureDeclined,
    GestureDone,
    GestureEvent,
    GestureGranted,
    GestureSurvey,
)
from attent.recovery.models import Gesture, GestureKind, GestureState
from attent.recovery.money import Money
from attent.recovery.policy import catalogue_of, organisation, policy_of
from attent.recovery.schemas import CatalogueGesture, GestureOffer, SurveyIn
from attent.recovery.suggest import budget, find_item, suggestion_for
from attent.timeline.service import record_event

OUTCOME_AFTER = timedelta(days=30)
WAITING = (GestureState.SUGGESTED, GestureState.PENDING_APPROVAL)
PROMISE_KINDS = {GestureKind.REPLACEMENT: PromiseKind.DELIVERY, GestureKind.REFUND: PromiseKind.REFUND}


def record_gesture_event(
    db: Session, gesture: Gesture, kind: type[GestureEvent], at: datetime, actor: Agent | None, **extra: Any
) -> None:
    """Append one of the gesture's events, carrying what was offered, to the case (or customer) timeline."""
    event = kind(
        gesture_id=str(gesture.id),
        code=gesture.code,
        gesture_kind=gesture.kind.value,
        gesture_name={"nl": gesture.name_nl, "en": gesture.name_en},
        cost_cents=gesture.cost_cents,
        currency=gesture.currency,
        occasion=gesture.occasion,
        source=gesture.source,
        **extra,
    )
    record_event(
        db=db,
        organisation_id=gesture.organisation_id,
        case_id=gesture.case_id,
        customer_id=gesture.customer_id,
        event=event,
        at=at,
        actor=actor,
    )


def new_gesture(
    db: Session,
    *,
    organisation_id: uuid.UUID,
    customer_id: uuid.UUID,
    case_id: uuid.UUID | None,
    item: CatalogueGesture,
    reason: str,
    occasion: str | None,
    source: str,
    state: GestureState,
    at: datetime,
    actor: Agent | None,
) -> Gesture:
    """Write a gesture from a catalogue item, its name and cost copied as they are today."""
    gesture = Gesture(
        organisation_id=organisation_id,
        customer_id=customer_id,
        case_id=case_id,
        code=item.code,
        kind=item.kind,
        name_nl=item.name.nl,
        name_en=item.name.en,
        cost_cents=item.cost_cents,
        currency=item.currency,
        occasion=occasion,
        reason=reason,
        source=source,
        state=state,
        created_at=at,
        created_by_id=actor.id if actor else None,
        requested_by_id=actor.id if actor and state is GestureState.PENDING_APPROVAL else None,
        over_budget=False,
        await_resolution=False,
    )
    db.add(gesture)
    db.flush()
    return gesture


def get_gesture(*, db: Session, actor: Agent, gesture_id: uuid.UUID) -> Gesture:
    """A gesture on a case the actor may see (a gesture without a case: anyone in the organisation)."""
    gesture = db.get(Gesture, (actor.organisation_id, gesture_id))
    if gesture is None:
        raise NotFound.of("gesture", gesture_id)
    if gesture.case_id is not None:
        try:
            get_case(db=db, actor=actor, case_id=gesture.case_id)
        except NotFound:
            raise NotFound.of("gesture", gesture_id) from None
    return gesture


def _may_grant(actor: Agent, gesture: Gesture, at: datetime, db: Session) -> bool:
    """Refuse an agent what needs a lead; returns whether granting goes over the month's budget."""
    org = organisation(db, gesture.organisation_id)
    catalogue = catalogue_of(org)
    left = budget(db=db, organisation_id=gesture.organisation_id, at=at)
    over = gesture.cost_cents > left.remaining_cents
    if actor.role is not Role.AGENT:
        return over  # a lead's grant is the approval
    name = {"nl": gesture.name_nl, "en": gesture.name_en}
    cost = Money(gesture.cost_cents, gesture.currency)
    if gesture.occasion:
        raise Forbidden(
            "approval_required",
            "{name} is a surprise for an occasion ({occasion}); a lead approves "
            "surprise moments. Request approval.",
            name=name,
            occasion=Label(gesture.occasion),
        )
    if gesture.cost_cents > catalogue.approval_threshold_cents:
        raise Forbidden(
            "approval_required",
            "{name} costs {cost}, more than the {limit} an agent may grant; request a lead's approval.",
            name=name,
            cost=cost,
            limit=Money(catalogue.approval_threshold_cents, catalogue.currency),
        )
    if over:
        raise Conflict(
            "over_budget",
            "Granting {name} ({cost}) would exceed this month's recovery budget: "
            "{remaining} of {total} left. Request a lead's approval.",
            name=name,
            cost=cost,
            remaining=Money(max(left.remaining_cents, 0), left.currency),
            total=Money(left.monthly_budget_cents, left.currency),
        )
    return over


def _grant(
    db: Session,
    gesture: Gesture,
    actor: Agent,
    at: datetime,
    *,
    over: bool,
    approved: bool,
    make_promise: bool,
) -> Gesture:
    org = organisation(db, gesture.organisation_id)
    gesture.state, gesture.granted_at, gesture.over_budget = GestureState.GRANTED, at, over
    if approved:
        gesture.decided_at, gesture.decided_by_id = at, actor.id
    gesture.outcome_due_at = at + OUTCOME_AFTER
    gesture.await_resolution = gesture.case_id is not None and policy_of(org).check_in is not None
    item = find_item(catalogue_of(org), gesture.code)
    promise_kind = PROMISE_KINDS.get(gesture.kind)
    if make_promise and promise_kind and item and item.promise_hours and gesture.case_id:
        case = db.get(Case, (gesture.organisation_id, gesture.case_id))
        assert case is not None
        owner = case.owner_id or (gesture.requested_by_id if approved else actor.id)
        customer = db.get(Customer, (case.organisation_id, case.customer_id))
        language = customer.language if customer else "nl"
        promise = create_promise(
            db=db,
            case=case,
            kind=promise_kind,
            due_by=at + timedelta(hours=item.promise_hours),
            at=at,
            actor=actor,
            owner_id=owner,
            words=item.name.in_language(language),
        )
        gesture.promise_id = promise.id
    db.flush()
    record_gesture_event(
        db,
        gesture,
        GestureApproved if approved else GestureGranted,
        at,
        actor,
        over_budget=over,
        promise_id=str(gesture.promise_id) if gesture.promise_id else None,
    )
    return gesture


def offer_gesture(*, db: Session, actor: Agent, data: GestureOffer, at: datetime) -> Gesture:
    """Grant a catalogue gesture on a case (within the agent's limits), or ask a lead to approve it."""
    case = get_case(db=db, actor=actor, case_id=data.case_id)
    if case.status is CaseStatus.CLOSED:
        raise Conflict("case_closed", "This case is closed; open a new case to make up for something.")
    catalogue = catalogue_of(organisation(db, case.organisation_id))
    item = find_item(catalogue, data.code)
    if item is None:
        codes = ", ".join(g.code for g in catalogue.gestures)
        raise Invalid(
            "unknown_gesture",
            "No such gesture in the catalogue.",
            [FieldError(("code",), "Choose one of: {codes}.", {"codes": codes})],
        )
    state = GestureState.PENDING_APPROVAL if data.request_approval else GestureState.SUGGESTED
    gesture = new_gesture(
        db,
        organisation_id=case.organisation_id,
        customer_id=case.customer_id,
        case_id=case.id,
        item=item,
        reason=data.reason,
        occasion=None,
        source=f"agent:{actor.id}",
        state=state,
        at=at,
        actor=actor,
    )
    if data.request_approval:
        record_gesture_event(db, gesture, GestureApprovalRequested, at, actor, reason=data.reason)
        return gesture
    over = _may_grant(actor, gesture, at, db)
    return _grant(db, gesture, actor, at, over=over, approved=False, make_promise=data.make_promise)


def grant_gesture(
    *, db: Session, actor: Agent, gesture_id: uuid.UUID, make_promise: bool, at: datetime
) -> Gesture:
    """Grant a suggested gesture; a lead granting one that waits for approval approves it."""
    gesture = get_gesture(db=db, actor=actor, gesture_id=gesture_id)
    if gesture.state is GestureState.PENDING_APPROVAL:
        return approve_gesture(db=db, actor=actor, gesture_id=gesture_id, make_promise=make_promise, at=at)
    _waiting(gesture, (GestureState.SUGGESTED,))
    over = _may_grant(actor, gesture, at, db)
    return _grant(db, gesture, actor, at, over=over, approved=False, make_promise=make_promise)


def approve_gesture(
    *, db: Session, actor: Agent, gesture_id: uuid.UUID, make_promise: bool, at: datetime
) -> Gesture:
    """A lead approves a gesture (over the threshold or the budget, or a surprise)."""
    require_role(actor, Role.LEAD)
    gesture = get_gesture(db=db, actor=actor, gesture_id=gesture_id)
    _waiting(gesture, WAITING)
    over = _may_grant(actor, gesture, at, db)
    return _grant(db, gesture, actor, at, over=over, approved=True, make_promise=make_promise)


def _waiting(gesture: Gesture, states: tuple[GestureState, ...]) -> None:
    if gesture.state not in states:
        raise Conflict(
            "gesture_not_waiting",
            "This gesture is {state}; only a gesture that is {allowed} can be decided on.",
            state=Label(gesture.state.value),
            allowed=[Label(s.value) for s in states],
        )


def request_approval(*, db: Session, actor: Agent, gesture_id: uuid.UUID, at: datetime) -> Gesture:
    """Ask a lead to approve a suggested gesture."""
    gesture = get_gesture(db=db, actor=actor, gesture_id=gesture_id)
    _waiting(gesture, (GestureState.SUGGESTED,))
    gesture.state, gesture.requested_by_id = GestureState.PENDING_APPROVAL, actor.id
    db.flush()
    record_gesture_event(db, gesture, GestureApprovalRequested, at, actor, reason=gesture.reason)
    return gesture


def decline_gesture(
    *, db: Session, actor: Agent, gesture_id: uuid.UUID, reason: str, at: datetime
) -> Gesture:
    """Say no to a waiting gesture; one waiting for approval is a lead's to decline."""
    gesture = get_gesture(db=db, actor=actor, gesture_id=gesture_id)
    _waiting(gesture, WAITING)
    if gesture.state is GestureState.PENDING_APPROVAL:
        require_role(actor, Role.LEAD)
    gesture.state, gesture.decided_at, gesture.decided_by_id = GestureState.DECLINED, at, actor.id
    gesture.decline_reason = reason
    db.flush()
    record_gesture_event(db, gesture, GestureDeclined, at, actor, reason=reason)
    return gesture


def decline_suggestion(
    *, db: Session, actor: Agent, case_id: uuid.UUID, reason: str, at: datetime
) -> list[Gesture]:
    """Decline what the policy suggests for a case; recorded, so the suggestion stops showing."""
    case = get_case(db=db, actor=actor, case_id=case_id)
    suggestion = suggestion_for(db=db, case=case, language=actor.language, at=at)
    if suggestion is None:
        raise Conflict("no_suggestion", "There is no suggested gesture on this case to decline.")
    catalogue = catalogue_of(organisation(db, case.organisation_id))
    declined = []
    for suggested in suggestion.gestures:
        item = find_item(catalogue, suggested.code)
        assert item is not None
        gesture = new_gesture(
            db,
            organisation_id=case.organisation_id,
            customer_id=case.customer_id,
            case_id=case.id,
            item=item,
            reason=suggestion.reason,
            occasion=None,
            source="policy",
            state=GestureState.SUGGESTED,
            at=at,
            actor=actor,
        )
        declined.append(decline_gesture(db=db, actor=actor, gesture_id=gesture.id, reason=reason, at=at))
    return declined


def mark_done(*, db: Session, actor: Agent, gesture_id: uuid.UUID, at: datetime) -> Gesture:
    """The gesture reached the customer; its delivery or refund promise is kept with it."""
    gesture = get_gesture(db=db, actor=actor, gesture_id=gesture_id)
    if gesture.state is not GestureState.GRANTED:
        raise Conflict(
            "gesture_not_granted",
            "This gesture is {state}; only a granted gesture can be done.",
            state=Label(gesture.state.value),
        )
    gesture.state, gesture.done_at = GestureState.DONE, at
    if gesture.promise_id is not None:
        promise = db.get(Promise, (gesture.organisation_id, gesture.promise_id))
        if promise is not None and promise.state is PromiseState.OPEN:
            keep_promise(db=db, actor=actor, promise=promise, at=at, how="gesture_done")
    db.flush()
    record_gesture_event(db, gesture, GestureDone, at, actor)
    return gesture


def record_survey(
    *, db: Session, actor: Agent, gesture_id: uuid.UUID, data: SurveyIn, at: datetime
) -> Gesture:
    """The customer's score (1-5) after a granted gesture; one per gesture."""
    gesture = get_gesture(db=db, actor=actor, gesture_id=gesture_id)
    if gesture.state not in (GestureState.GRANTED, GestureState.DONE):
        raise Conflict("gesture_not_granted", "Only a granted or done gesture has a survey score.")
    if gesture.survey_score is not None:
        raise Conflict(
            "survey_recorded",
            "This gesture already has a survey score ({score}).",
            score=gesture.survey_score,
        )
    gesture.survey_score, gesture.survey_comment, gesture.survey_at = data.score, data.comment, at
    db.flush()
    record_gesture_event(db, gesture, GestureSurvey, at, actor, score=data.score)
    return gesture


def list_gestures(
    *,
    db: Session,
    actor: Agent,
    states: list[GestureState] | None = None,
    case_id: uuid.UUID | None = None,
    customer_id: uuid.UUID | None = None,
    limit: int = 100,
) -> list[Gesture]:
    """The first `limit` gestures of `page_gestures` (for pages that show a short list)."""
    rows, _ = page_gestures(
        db=db, actor=actor, states=states, case_id=case_id, customer_id=customer_id, limit=limit
    )
    return rows


def page_gestures(
    *,
    db: Session,
    actor: Agent,
    states: list[GestureState] | None = None,
    case_id: uuid.UUID | None = None,
    customer_id: uuid.UUID | None = None,
    cursor: str | None = None,
    limit: int = 100,
) -> tuple[list[Gesture], str | None]:
    """Gestures the actor may see (on cases they may see, or on none), newest first, one page."""
    query = select(Gesture).where(
        Gesture.organisation_id == actor.organisation_id,
        or_(Gesture.case_id.is_(None), Gesture.case_id.in_(visible_to(select(Case.id), actor))),
    )  # visibility in the query, so that a page is never cut short after the limit
    if case_id is not None:
        get_case(db=db, actor=actor, case_id=case_id)
        query = query.where(Gesture.case_id == case_id)
    if customer_id is not None:
        query = query.where(Gesture.customer_id == customer_id)
    if states:
        query = query.where(Gesture.state.in_(states))
    return page(db, query, (Gesture.created_at.desc(), Gesture.id.desc()), cursor, limit)
