"""What the workspace shows of recovery: the case page's panel, the leads' approvals, the customer's gestures.

Plain data for `workspace/` to compose into its pages (re-exported by `recovery.service`).
"""

import uuid
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from attent.agents import Agent
from attent.cases import Case
from attent.cases.service import visible_to
from attent.core.errors import Invalid
from attent.customers import Customer
from attent.recovery.gestures import (
    approve_gesture,
    decline_gesture,
    grant_gesture,
    list_gestures,
    mark_done,
    request_approval,
)
from attent.recovery.models import Gesture, GestureState
from attent.recovery.money import money
from attent.recovery.policy import catalogue_of, organisation
from attent.recovery.schemas import Budget, CatalogueGesture, Suggestion
from attent.recovery.suggest import budget, suggestion_for


@dataclass(frozen=True)
class RecoveryPanel:
    """What the case page's recovery panel shows: the suggestion, the case's gestures, the budget."""

    language: str
    suggestion: Suggestion | None
    gestures: list[Gesture]
    budget: Budget
    catalogue: list[CatalogueGesture]
    may_approve: bool

    def money(self, cents: int) -> str:
        """An amount in the budget's currency, for the reader."""
        return money(cents, self.budget.currency, self.language)

    def name(self, gesture: Gesture) -> str:
        """A gesture's name in the reader's language."""
        return gesture.name_en if self.language == "en" else gesture.name_nl


def case_panel(*, db: Session, actor: Agent, case: Case, at: datetime) -> RecoveryPanel:
    """Everything the panel needs, in a handful of queries."""
    return RecoveryPanel(
        language=actor.language,
        suggestion=suggestion_for(db=db, case=case, language=actor.language, at=at),
        gestures=list_gestures(db=db, actor=actor, case_id=case.id),
        budget=budget(db=db, organisation_id=case.organisation_id, at=at),
        catalogue=catalogue_of(organisation(db, case.organisation_id)).gestures,
        may_approve=actor.role.value in ("lead", "admin"),
    )


@dataclass(frozen=True)
class Waiting:
    """A gesture waiting for a lead, with its case and customer."""

    gesture: Gesture
    name: str
    cost: str
    customer_name: str
    case_subject: str | None


@dataclass(frozen=True)
class Approvals:
    """The leads' list on /team: gestures and surprise moments waiting for approval."""

    waiting: list[Waiting] = field(default_factory=list)
    budget: Budget | None = None
    remaining: str = ""


def approvals(*, db: Session, actor: Agent, at: datetime) -> Approvals:
    """Gestures waiting for approval on cases the lead may see (and surprises without a case)."""
    visible = visible_to(select(Case.id), actor)
    rows = db.execute(
        select(Gesture, Customer.name, Case.subject)
        .join(
            Customer,
            and_(Customer.organisation_id == Gesture.organisation_id, Customer.id == Gesture.customer_id),
        )
        .outerjoin(Case, and_(Case.organisation_id == Gesture.organisation_id, Case.id == Gesture.case_id))
        .where(
            Gesture.organisation_id == actor.organisation_id,
            Gesture.state == GestureState.PENDING_APPROVAL,
            Gesture.case_id.is_(None) | Gesture.case_id.in_(visible),
        )
        .order_by(Gesture.created_at, Gesture.id)
        .limit(50)
    ).all()
    left = budget(db=db, organisation_id=actor.organisation_id, at=at)
    say = actor.language
    return Approvals(
        waiting=[
            Waiting(
                g,
                g.name_en if say == "en" else g.name_nl,
                money(g.cost_cents, g.currency, say),
                customer,
                subject,
            )
            for g, customer, subject in rows
        ],
        budget=left,
        remaining=money(left.remaining_cents, left.currency, say),
    )


def customer_gestures(*, db: Session, actor: Agent, customer_id: uuid.UUID) -> list[Gesture]:
    """The customer's gestures and surprise moments that were given or wait for a decision."""
    shown = [GestureState.PENDING_APPROVAL, GestureState.GRANTED, GestureState.DONE]
    return list_gestures(db=db, actor=actor, customer_id=customer_id, states=shown)


def reason_given(text: str) -> str:
    """The reason as typed, refused when it says nothing (fewer than three characters)."""
    text = text.strip()
    if len(text) < 3:
        raise Invalid("reason_required", "Say why, in a few words.", [])
    return text


ACTIONS = ("grant", "approve", "request-approval", "decline", "done")


def decide_gesture(
    db: Session, actor: Agent, gesture_id: uuid.UUID, verb: str, reason: str, at: datetime
) -> Gesture:
    """Grant, approve, ask approval for, decline (with a reason) or finish a gesture, by the verb's name."""
    if verb == "grant":
        return grant_gesture(db=db, actor=actor, gesture_id=gesture_id, make_promise=True, at=at)
    if verb == "approve":
        return approve_gesture(db=db, actor=actor, gesture_id=gesture_id, make_promise=True, at=at)
    if verb == "request-approval":
        return request_approval(db=db, actor=actor, gesture_id=gesture_id, at=at)
    if verb == "decline":
        return decline_gesture(db=db, actor=actor, gesture_id=gesture_id, reason=reason_given(reason), at=at)
    if verb == "done":
        return mark_done(db=db, actor=actor, gesture_id=gesture_id, at=at)
    raise Invalid("unknown_action", "Use one of: {actions}.", [], actions=", ".join(ACTIONS))
