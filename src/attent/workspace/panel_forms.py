"""The forms of the panels other domains add to the case page (recovery, coach): they post like the
case page's own forms (`workspace.case_forms.act_on_case`) and answer beside their panel."""

import uuid
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from attent.agents import Agent, CurrentAgent
from attent.coach import service as coach
from attent.core.clock import Clock
from attent.core.deps import ClockDep, DbSession
from attent.core.errors import FieldError, Invalid
from attent.core.pageforms import redraws
from attent.recovery import GestureOffer, service
from attent.workspace.case_forms import act_on_case, case_form

router = APIRouter(include_in_schema=False)
Csrf = Annotated[str, Form()]
Once = Annotated[str, Form(max_length=64)]  # the form's one-time token (core/pageforms.py)
Reason = Annotated[str, Form(max_length=500)]


def _on_recovery_panel(
    request: Request,
    db: Session,
    actor: Agent,
    clock: Clock,
    case_id: uuid.UUID,
    csrf: str,
    action: Callable[[], None],
    values: dict[str, str],
    once: str = "",
) -> Response:
    """Do one panel action the way the case page's own forms do, answering beside the recovery panel."""
    return act_on_case(request, db, actor, clock, case_id, csrf, "recovery", action, values, once=once)


def _redraw_recovery(
    request: Request, *, db: Session, actor: Any, clock: Clock, form: FormData, errors: list[FieldError]
) -> Response:
    # Which of the panel's forms it was (they share field names), from the address it posted to.
    gesture = request.path_params.get("gesture_id")
    which = (
        f"gesture-{gesture}" if gesture else request.url.path.rsplit("/", 1)[-1].replace("-suggestion", "")
    )
    said = FormData([*form.multi_items(), ("which", which)])
    return case_form("recovery")(request, db=db, actor=actor, clock=clock, form=said, errors=errors)


@router.post("/cases/{case_id}/recovery/offer")
@redraws(_redraw_recovery)
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
    return _on_recovery_panel(request, db, actor, clock, case_id, csrf, action, typed_in, once=once)


@router.post("/cases/{case_id}/recovery/decline-suggestion")
@redraws(_redraw_recovery)
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
            db=db, actor=actor, case_id=case_id, reason=service.reason_given(reason), at=clock.now()
        )

    values = {"which": "decline", "reason": reason}
    return _on_recovery_panel(request, db, actor, clock, case_id, csrf, action, values, once=once)


@router.post("/cases/{case_id}/recovery/{gesture_id}/{verb}")
@redraws(_redraw_recovery)
def decide_on_gesture(
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
        service.decide_gesture(db, actor, gesture_id, verb, reason, clock.now())

    values = {"which": f"gesture-{gesture_id}", "reason": reason}
    return _on_recovery_panel(request, db, actor, clock, case_id, csrf, action, values, once=once)


def _redraw_coach(
    request: Request, *, db: Session, actor: Any, clock: Clock, form: FormData, errors: list[FieldError]
) -> Response:
    return case_form("coach")(request, db=db, actor=actor, clock=clock, form=form, errors=errors)


@router.post("/cases/{case_id}/coach/proposals/{proposal_id}/{verb}")
@redraws(_redraw_coach)
def decide_on_proposal(
    case_id: uuid.UUID,
    proposal_id: uuid.UUID,
    verb: str,
    request: Request,
    db: DbSession,
    actor: CurrentAgent,
    clock: ClockDep,
    csrf: Csrf = "",
    once: Once = "",
) -> Response:
    """Accept (make the promise) or dismiss a heard promise; errors show beside the panel."""

    def action() -> None:
        if verb == "accept":
            coach.accept_proposal(db=db, actor=actor, proposal_id=proposal_id, at=clock.now())
        elif verb == "dismiss":
            coach.dismiss_proposal(db=db, actor=actor, proposal_id=proposal_id, at=clock.now())
        else:
            raise Invalid("unknown_action", "Use accept or dismiss.", [])

    return act_on_case(request, db, actor, clock, case_id, csrf, "coach", action, once=once)
