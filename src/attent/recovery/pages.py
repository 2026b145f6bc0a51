"""Recovery in the workspace: the case page's panel and its forms, the leads' approvals on /team,
the customer's gestures and surprise moments, and the catalogue and outcomes pages."""

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from sqlalchemy import and_, select
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from attent.agents import Agent, CurrentAgent
from attent.cases import Case
from attent.cases.service import visible_to
from attent.core.clock import Clock
from attent.core.deps import ClockDep, DbSession
from attent.core.errors import FieldError, Invalid
from attent.core.pageforms import redraws
from attent.customers import Customer
from attent.recovery import service
from attent.recovery.models import Gesture, GestureState
from attent.recovery.money import money
from attent.recovery.policy import catalogue_of, organisation
from attent.recovery.schemas import Budget, CatalogueGesture, GestureOffer, Suggestion
from attent.recovery.suggest import budget, suggestion_for

router = APIRouter(include_in_schema=False)
Csrf = Annotated[str, Form()]
Once = Annotated[str, Form(max_length=64)]  # the form's one-time token (core/pageforms.py)
Reason = Annotated[str, Form(max_length=500)]


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


def recovery_panel(*, db: Session, actor: Agent, case: Case, at: datetime) -> RecoveryPanel:
    """Everything the panel needs, in a handful of queries."""
    return RecoveryPanel(
        language=actor.language,
        suggestion=suggestion_for(db=db, case=case, language=actor.language, at=at),
        gestures=service.list_gestures(db=db, actor=actor, case_id=case.id),
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
    return service.list_gestures(db=db, actor=actor, customer_id=customer_id, states=shown)


def _on_case(
    request: Request,
    db: Session,
    actor: Agent,
    clock: ClockDep,
    case_id: uuid.UUID,
    csrf: str,
    action: Callable[[], None],
    values: dict[str, str],
    once: str = "",
) -> Response:
    """Do one panel action the way the case page's own forms do, answering beside the recovery panel."""
    from attent.cases.actions import act_on_case  # the case page imports this module for its panel

    return act_on_case(request, db, actor, clock, case_id, csrf, "recovery", action, values, once=once)


def _redraw(
    request: Request, *, db: Session, actor: Any, clock: Clock, form: FormData, errors: list[FieldError]
) -> Response:
    from attent.cases.actions import case_form  # the case page imports this module for its panel

    # Which of the panel's forms it was (they share field names), from the address it posted to.
    gesture = request.path_params.get("gesture_id")
    which = (
        f"gesture-{gesture}" if gesture else request.url.path.rsplit("/", 1)[-1].replace("-suggestion", "")
    )
    said = FormData([*form.multi_items(), ("which", which)])
    return case_form("recovery")(request, db=db, actor=actor, clock=clock, form=said, errors=errors)


@router.post("/cases/{case_id}/recovery/offer")
@redraws(_redraw)
def offer(
    case_id: uuid.UUID,
    request: Request,
    db: DbSession,
    actor: CurrentAgent,
    clock: ClockDep,
    code: Annotated[str, Form(max_length=60)],
    reason: Reason = "",
    request_approval: Annotated[bool, Form()] = False,
    csrf: Csrf = "",
    once: Once = "",
) -> Response:
    """Grant a gesture from the panel, or ask a lead to approve it."""

    def action() -> None:
        data = GestureOffer.model_construct(
            case_id=case_id,
            code=code,
            reason=reason.strip(),
            request_approval=request_approval,
            make_promise=True,
        )
        service.offer_gesture(db=db, actor=actor, data=data, at=clock.now())

    typed_in = {
        "which": "offer",
        "code": code,
        "reason": reason,
        "request_approval": "true" if request_approval else "",
    }
    return _on_case(request, db, actor, clock, case_id, csrf, action, typed_in, once=once)


@router.post("/cases/{case_id}/recovery/decline-suggestion")
@redraws(_redraw)
def decline_suggestion(
    case_id: uuid.UUID,
    request: Request,
    db: DbSession,
    actor: CurrentAgent,
    clock: ClockDep,
    reason: Reason = "",
    csrf: Csrf = "",
    once: Once = "",
) -> Response:
    """Decline what the policy suggests, saying why."""

    def action() -> None:
        service.decline_suggestion(
            db=db, actor=actor, case_id=case_id, reason=_reason(reason), at=clock.now()
        )

    values = {"which": "decline", "reason": reason}
    return _on_case(request, db, actor, clock, case_id, csrf, action, values, once=once)


def _reason(text: str) -> str:
    text = text.strip()
    if len(text) < 3:
        raise Invalid("reason_required", "Say why, in a few words.", [])
    return text


ACTIONS = ("grant", "approve", "request-approval", "decline", "done")


@router.post("/cases/{case_id}/recovery/{gesture_id}/{verb}")
@redraws(_redraw)
def decide(
    case_id: uuid.UUID,
    gesture_id: uuid.UUID,
    verb: str,
    request: Request,
    db: DbSession,
    actor: CurrentAgent,
    clock: ClockDep,
    reason: Reason = "",
    csrf: Csrf = "",
    once: Once = "",
) -> Response:
    """Grant, approve, ask approval for, decline or finish one of the case's gestures."""

    def action() -> None:
        decide_gesture(db, actor, gesture_id, verb, reason, clock.now())

    values = {"which": f"gesture-{gesture_id}", "reason": reason}
    return _on_case(request, db, actor, clock, case_id, csrf, action, values, once=once)


def decide_gesture(
    db: Session, actor: Agent, gesture_id: uuid.UUID, verb: str, reason: str, at: datetime
) -> Gesture:
    """Grant, approve, ask approval for, decline (with a reason) or finish a gesture, by the verb's name."""
    if verb == "grant":
        return service.grant_gesture(db=db, actor=actor, gesture_id=gesture_id, make_promise=True, at=at)
    if verb == "approve":
        return service.approve_gesture(db=db, actor=actor, gesture_id=gesture_id, make_promise=True, at=at)
    if verb == "request-approval":
        return service.request_approval(db=db, actor=actor, gesture_id=gesture_id, at=at)
    if verb == "decline":
        return service.decline_gesture(
            db=db, actor=actor, gesture_id=gesture_id, reason=_reason(reason), at=at
        )
    if verb == "done":
        return service.mark_done(db=db, actor=actor, gesture_id=gesture_id, at=at)
    raise Invalid("unknown_action", "Use one of: {actions}.", [], actions=", ".join(ACTIONS))
