"""Recovery's service: the catalogue and policy, the gesture actions, and the contract rules call.

`suggest_gesture` and `schedule_check_in` are what the rules' actions "suggest a recovery gesture"
and "schedule a check-in" call; both flush, never commit, and raise `core.errors` on bad input.
The gesture actions themselves live in `recovery.gestures` and are re-exported here.
"""

import re
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from attent.agents import Agent, Role
from attent.agents.service import require_role
from attent.cases import Case, CasesMerged
from attent.core.db import repoint
from attent.core.errors import FieldError, Invalid
from attent.core.i18n import Label
from attent.customers import Customer
from attent.recovery.checkins import new_check_in
from attent.recovery.gestures import (
    approve_gesture,
    decline_gesture,
    decline_suggestion,
    get_gesture,
    grant_gesture,
    list_gestures,
    mark_done,
    new_gesture,
    offer_gesture,
    page_gestures,
    record_gesture_event,
    record_survey,
    request_approval,
)
from attent.recovery.kinds import GestureApprovalRequested, GestureSuggested
from attent.recovery.models import CheckIn, CheckInMode, Gesture, GestureState
from attent.recovery.money import money
from attent.recovery.panels import (
    Approvals,
    RecoveryPanel,
    approvals,
    case_panel,
    customer_gestures,
    decide_gesture,
    reason_given,
)
from attent.recovery.policy import catalogue_of, organisation, policy_of, save_catalogue, save_policy
from attent.recovery.schemas import Catalogue, RecoveryPolicy
from attent.recovery.suggest import find_item, suggestion_for

__all__ = [
    "Approvals",
    "GestureSuggestion",
    "RecoveryPanel",
    "approvals",
    "approve_gesture",
    "case_panel",
    "customer_gestures",
    "decide_gesture",
    "decline_gesture",
    "decline_suggestion",
    "get_catalogue",
    "get_gesture",
    "get_policy",
    "grant_gesture",
    "list_gestures",
    "mark_done",
    "money",
    "offer_gesture",
    "page_gestures",
    "put_catalogue",
    "put_policy",
    "reason_given",
    "record_survey",
    "request_approval",
    "schedule_check_in",
    "suggest_gesture",
]

SURPRISE_MEMORY = timedelta(days=180)  # one birthday surprise per occasion per half year, not two
CODE = re.compile(r"^[a-z][a-z0-9_]{0,59}$")


@dataclass(frozen=True)
class GestureSuggestion:
    """What `suggest_gesture` made: one gesture, or the ladder's few, waiting for an agent or a lead."""

    gestures: list[Gesture]
    reason: str

    @property
    def id(self) -> uuid.UUID:
        """The first (main) gesture's id."""
        return self.gestures[0].id

    @property
    def needs_approval(self) -> bool:
        """Whether a lead must decide (surprises always; the rest once an agent asks)."""
        return any(g.state is GestureState.PENDING_APPROVAL for g in self.gestures)


def get_catalogue(*, db: Session, actor: Agent) -> Catalogue:
    """The organisation's gestures, budget and approval threshold (the defaults until an admin saves)."""
    return catalogue_of(organisation(db, actor.organisation_id))


def put_catalogue(*, db: Session, actor: Agent, data: Catalogue) -> Catalogue:
    """Replace the catalogue, budget and threshold (admins); gestures already given keep their cost."""
    require_role(actor, Role.ADMIN)
    save_catalogue(org=organisation(db, actor.organisation_id), catalogue=data)
    db.flush()
    return get_catalogue(db=db, actor=actor)


def get_policy(*, db: Session, actor: Agent) -> RecoveryPolicy:
    """Failure types, the suggestion ladder, occasions and check-ins (the defaults until saved)."""
    return policy_of(organisation(db, actor.organisation_id))


def put_policy(*, db: Session, actor: Agent, data: RecoveryPolicy) -> RecoveryPolicy:
    """Replace the recovery policy (admins); every gesture it names must be in the catalogue."""
    require_role(actor, Role.ADMIN)
    save_policy(org=organisation(db, actor.organisation_id), policy=data)
    db.flush()
    return get_policy(db=db, actor=actor)


def _customer_and_case(
    db: Session, organisation_id: uuid.UUID, customer_id: uuid.UUID, case_id: uuid.UUID | None
) -> Case | None:
    if db.get(Customer, (organisation_id, customer_id)) is None:
        raise Invalid(
            "unknown_customer",
            "No such customer.",
            [FieldError(("customer_id",), "No customer with id {id} exists.", {"id": customer_id})],
        )
    if case_id is None:
        return None
    case = db.get(Case, (organisation_id, case_id))
    if case is None or case.customer_id != customer_id:
        raise Invalid(
            "unknown_case",
            "No such case for this customer.",
            [
                FieldError(
                    ("case_id",),
                    "No case {case} of customer {customer}.",
                    {"case": case_id, "customer": customer_id},
                )
            ],
        )
    return case


def _text(value: str, field: str, limit: int) -> str:
    value = value.strip()
    if not value or len(value) > limit:
        raise Invalid(
            "invalid_text",
            "The {field} needs 1 to {limit} characters.",
            [FieldError((field,), "Give 1 to {limit} characters.", {"limit": limit})],
            field=Label(field, "field"),
            limit=limit,
        )
    return value


def suggest_gesture(
    *,
    db: Session,
    organisation_id: uuid.UUID,
    customer_id: uuid.UUID,
    case_id: uuid.UUID | None,
    reason: str,
    occasion: str | None,
    gesture_code: str | None,
    source: str,
    at: datetime,
) -> GestureSuggestion:
    """A gesture waiting for an agent (recovery) or a lead (a surprise for a happy `occasion`).

    Without `gesture_code` the policy chooses: the occasion's gesture, or the ladder's for a failure
    case. A surprise already suggested or given for the same occasion in the last half year is
    returned instead of suggested twice.
    """
    case = _customer_and_case(db, organisation_id, customer_id, case_id)
    reason, source = _text(reason, "reason", 1000), _text(source, "source", 120)
    if occasion is not None and not CODE.match(occasion):
        raise Invalid(
            "invalid_occasion",
            "An occasion is a short lowercase name such as 'birthday'.",
            [FieldError(("occasion",), "Use lowercase letters, digits and underscores.")],
        )
    org = organisation(db, organisation_id)
    catalogue, policy = catalogue_of(org), policy_of(org)
    if occasion is not None:
        earlier = list(
            db.scalars(
                select(Gesture)
                .where(
                    Gesture.organisation_id == organisation_id,
                    Gesture.customer_id == customer_id,
                    Gesture.occasion == occasion,
                    Gesture.state != GestureState.DECLINED,
                    Gesture.created_at >= at - SURPRISE_MEMORY,
                )
                .order_by(Gesture.created_at)
            )
        )
        if earlier:
            return GestureSuggestion(gestures=earlier, reason=earlier[0].reason)
    if gesture_code is not None:
        codes = [gesture_code]
    elif occasion is not None and occasion in policy.occasions:
        codes = [policy.occasions[occasion]]
    elif (
        occasion is None
        and case is not None
        and (found := suggestion_for(db=db, case=case, language=org.language, at=at))
    ):
        codes = [g.code for g in found.gestures]
    else:
        raise Invalid(
            "no_gesture_to_suggest",
            "Name the gesture: the policy suggests none here.",
            [
                FieldError(
                    ("gesture_code",),
                    "Required unless the case is of a failure type "
                    "or the occasion has a gesture in the recovery policy.",
                )
            ],
        )
    items = [find_item(catalogue, code) for code in codes]
    if any(item is None for item in items):
        known = ", ".join(g.code for g in catalogue.gestures)
        raise Invalid(
            "unknown_gesture",
            "No such gesture in the catalogue.",
            [FieldError(("gesture_code",), "Choose one of: {codes}.", {"codes": known})],
        )
    state = GestureState.PENDING_APPROVAL if occasion else GestureState.SUGGESTED
    made = []
    for item in items:
        assert item is not None
        gesture = new_gesture(
            db,
            organisation_id=organisation_id,
            customer_id=customer_id,
            case_id=case.id if case else None,
            item=item,
            reason=reason,
            occasion=occasion,
            source=source,
            state=state,
            at=at,
            actor=None,
        )
        kind = GestureApprovalRequested if occasion else GestureSuggested
        record_gesture_event(db, gesture, kind, at, None, reason=reason)
        made.append(gesture)
    return GestureSuggestion(gestures=made, reason=reason)


def schedule_check_in(
    *,
    db: Session,
    organisation_id: uuid.UUID,
    customer_id: uuid.UUID,
    case_id: uuid.UUID | None,
    due_at: datetime,
    mode: Literal["task", "message"],
    note: str,
    source: str,
    at: datetime,
) -> CheckIn:
    """A durable check-in: at `due_at` the worker makes an agent a task or writes to the customer."""
    _customer_and_case(db, organisation_id, customer_id, case_id)
    if due_at.tzinfo is None:
        raise Invalid(
            "naive_datetime",
            "A due time carries its time zone.",
            [FieldError(("due_at",), "Give a timezone-aware time, e.g. 2026-12-01T10:00:00Z.")],
        )
    try:
        check_in_mode = CheckInMode(mode)
    except ValueError:
        raise Invalid(
            "invalid_mode",
            "A check-in is a task or a message.",
            [FieldError(("mode",), "Use 'task' or 'message'.")],
        ) from None
    return new_check_in(
        db=db,
        organisation_id=organisation_id,
        customer_id=customer_id,
        case_id=case_id,
        gesture_id=None,
        due_at=due_at,
        mode=check_in_mode,
        note=_text(note, "note", 1000),
        source=_text(source, "source", 120),
        at=at,
    )


def cases_merged(db: Session, event: CasesMerged) -> None:
    """A case was merged into another (subscribed in `attent.wiring`): its gestures and check-ins move."""
    for model in (Gesture, CheckIn):
        repoint(db, model, organisation_id=event.organisation_id, old=event.merged_id, new=event.kept_id)
