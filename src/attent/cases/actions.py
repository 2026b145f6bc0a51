"""The case page's forms: reply, note, log a call, change status, promise, verify, follow the playbook.

Each form posts here and gets the case page back (Post/Redirect/Get on success, so a reload never
posts twice); a refusal re-renders the page with the reason beside the form and nothing written.
Verification and playbook steps answer on the page itself: match or no match, what to say next.
"""

import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import TypeAdapter, ValidationError
from sqlalchemy.orm import Session

from attent.agents.models import Agent
from attent.cases.models import CaseStatus
from attent.cases.pages import case_view
from attent.cases.schemas import PromiseChoice
from attent.cases.service import FINISHED, add_note, change_status, get_case
from attent.contacts.models import Channel, Direction, Outcome, Speaker
from attent.contacts.schemas import ContactCreate, MessageIn
from attent.contacts.service import log_contact, reply_by_email
from attent.core.clock import Clock
from attent.core.deps import ClockDep, CurrentAgent, DbSession
from attent.core.errors import AttentError, FieldError, Invalid
from attent.core.templating import check_csrf
from attent.organisations.service import get_organisation
from attent.playbooks.schemas import StepStart
from attent.playbooks.service import start_step
from attent.promises.schemas import PromiseCreate
from attent.promises.service import get_promise, keep_promise, make_promise
from attent.verification.schemas import VerificationAttempt
from attent.verification.service import verify

router = APIRouter(include_in_schema=False)
Text = Annotated[str, Form(max_length=20_000)]
Csrf = Annotated[str, Form()]


def act_on_case(
    request: Request,
    db: Session,
    actor: Agent,
    clock: Clock,
    case_id: uuid.UUID,
    csrf: str,
    form: str,
    action: Callable[[], dict[str, Any] | None],
) -> Response:
    """Run one form's action; back to the page on success, or the page with the reason on refusal.

    The case page's own forms and the panels other domains add to it (recovery, coach) all post here."""
    check_csrf(request, csrf)
    try:
        shown = action()
    except AttentError as exc:
        db.rollback()
        reasons = [e.message for e in _field_errors(exc)]
        return case_view(
            request, db=db, actor=actor, clock=clock, case_id=case_id, status_code=exc.status,
            form_error={"form": form, "detail": exc.detail, "errors": reasons},
        )  # fmt: skip
    except ValidationError as exc:
        db.rollback()
        messages = [f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()]
        return case_view(
            request, db=db, actor=actor, clock=clock, case_id=case_id, status_code=422,
            form_error={"form": form, "detail": "", "errors": messages},
        )  # fmt: skip
    if shown is not None:  # an answer to show on the page itself (verification, playbook step)
        return case_view(request, db=db, actor=actor, clock=clock, case_id=case_id, **shown)
    return RedirectResponse(f"/cases/{case_id}#{form}", status_code=303)


def _field_errors(exc: AttentError) -> list[FieldError]:
    return exc.errors if isinstance(exc, Invalid) else []


@router.post("/cases/{case_id}/reply")
def reply(
    case_id: uuid.UUID, request: Request, db: DbSession, actor: CurrentAgent, clock: ClockDep,
    text: Text, csrf: Csrf = "",
) -> Response:  # fmt: skip
    """Write to the customer: recorded on the case, and e-mailed through the outbox after commit."""

    def action() -> None:
        reply_by_email(db=db, actor=actor, case_id=case_id, text=text, at=clock.now())

    return act_on_case(request, db, actor, clock, case_id, csrf, "reply", action)


@router.post("/cases/{case_id}/note")
def note(
    case_id: uuid.UUID, request: Request, db: DbSession, actor: CurrentAgent, clock: ClockDep,
    text: Text, csrf: Csrf = "",
) -> Response:  # fmt: skip
    """An internal note for colleagues."""

    def action() -> None:
        if not text.strip():
            raise Invalid("empty_note", "Write something in the note.", [FieldError(("text",), "Empty.")])
        add_note(db=db, actor=actor, case_id=case_id, text=text.strip(), at=clock.now())

    return act_on_case(request, db, actor, clock, case_id, csrf, "note", action)


@router.post("/cases/{case_id}/call")
def log_call(
    case_id: uuid.UUID, request: Request, db: DbSession, actor: CurrentAgent, clock: ClockDep,
    direction: Annotated[Direction, Form()], outcome: Annotated[Outcome, Form()],
    minutes: Annotated[int, Form(ge=0, le=600)] = 0, summary: Annotated[str, Form(max_length=2000)] = "",
    csrf: Csrf = "",
) -> Response:  # fmt: skip
    """A phone call and how it ended; a dropped one becomes a call-back promise by itself."""

    def action() -> None:
        now = clock.now()
        messages = [MessageIn(speaker=Speaker.AGENT, text=summary.strip())] if summary.strip() else []
        log_contact(
            db=db, actor=actor, case_id=case_id, at=now,
            data=ContactCreate(
                channel=Channel.PHONE, direction=direction, outcome=outcome, messages=messages,
                started_at=now - timedelta(minutes=minutes), ended_at=now,
            ),
        )  # fmt: skip

    return act_on_case(request, db, actor, clock, case_id, csrf, "call", action)


Each = Annotated[list[str], Form(default_factory=list)]  # one value per open promise, in page order
CHOICES = TypeAdapter(list[PromiseChoice])


@router.post("/cases/{case_id}/status")
def status(
    case_id: uuid.UUID, request: Request, db: DbSession, actor: CurrentAgent, clock: ClockDep,
    to: Annotated[CaseStatus, Form()], promise_id: Each, fate: Each, reason: Each, csrf: Csrf = "",
) -> Response:  # fmt: skip
    """Move the case on (only the legal moves are offered); resolving says what becomes of each promise."""

    def action() -> None:
        case = get_case(db=db, actor=actor, case_id=case_id)
        choices = _choices(promise_id, fate, reason) if to in FINISHED else []
        change_status(db=db, actor=actor, case=case, to=to, at=clock.now(), promises=choices)
        db.flush()

    return act_on_case(request, db, actor, clock, case_id, csrf, "status", action)


def _choices(promise_ids: list[str], fates: list[str], reasons: list[str]) -> list[PromiseChoice]:
    """The status form's rows: `fate` is keep, cancel, hand_over:team or hand_over:<agent id>;
    a row left on "choose" is no choice, so the move is refused naming that promise."""
    if not len(promise_ids) == len(fates) == len(reasons):
        raise Invalid("bad_form", "Reload the page: the promises on the form do not line up.")
    rows: list[dict[str, Any]] = []
    for promise_id, fate, reason in zip(promise_ids, fates, reasons, strict=True):
        action, _, to_whom = fate.partition(":")
        if action == "cancel":
            rows.append({"promise_id": promise_id, "action": action, "reason": reason.strip()})
        elif action == "hand_over" and to_whom != "team":
            rows.append({"promise_id": promise_id, "action": action, "owner_id": to_whom})
        elif action:
            rows.append({"promise_id": promise_id, "action": action})
    return CHOICES.validate_python(rows)


def _local(value: str, tz: str) -> datetime:
    """A datetime-local form value, read in the organisation's zone."""
    try:
        return datetime.fromisoformat(value).replace(tzinfo=ZoneInfo(tz))
    except ValueError:
        raise Invalid(
            "invalid_due_at", "The time is not a date and time.", [FieldError(("due_at",), "Not a time.")]
        ) from None


@router.post("/cases/{case_id}/promise")
def promise(
    case_id: uuid.UUID, request: Request, db: DbSession, actor: CurrentAgent, clock: ClockDep,
    kind: Annotated[str, Form()], words: Annotated[str, Form(max_length=2000)] = "",
    in_minutes: Annotated[int | None, Form(ge=1, le=60 * 24 * 14)] = None,
    due_at: Annotated[str, Form(max_length=40)] = "", due_from: Annotated[str, Form(max_length=40)] = "",
    due_by: Annotated[str, Form(max_length=40)] = "", step_type: Annotated[str, Form(max_length=60)] = "",
    tell_customer: Annotated[bool, Form()] = False, csrf: Csrf = "",
) -> Response:  # fmt: skip
    """Promise something with a due time: in N minutes, at a local time, or a playbook's window."""

    def action() -> None:
        now, tz = clock.now(), get_organisation(db=db, organisation_id=actor.organisation_id).timezone
        body: dict[str, Any] = {"kind": kind, "words": words.strip() or None, "tell_customer": tell_customer}
        if step_type:
            body["step_type"] = step_type
        if due_from and due_by:  # an offer from the playbook carries its window as ISO times
            body["due_from"], body["due_by"] = due_from, due_by
        elif due_by:
            body["due_by"] = due_by
        elif in_minutes:
            body["due_at"] = now + timedelta(minutes=in_minutes)
        elif due_at:
            body["due_at"] = _local(due_at, tz)
        else:
            raise Invalid(
                "missing_due",
                "Say when: within how many minutes, or at what time.",
                [FieldError(("in_minutes",), "Give minutes or a time.")],
            )
        make_promise(db=db, actor=actor, case_id=case_id, data=PromiseCreate.model_validate(body), at=now)

    return act_on_case(request, db, actor, clock, case_id, csrf, "promises", action)


@router.post("/cases/{case_id}/promises/{promise_id}/keep")
def keep(
    case_id: uuid.UUID, promise_id: uuid.UUID, request: Request, db: DbSession, actor: CurrentAgent,
    clock: ClockDep, csrf: Csrf = "",
) -> Response:  # fmt: skip
    """Mark a promise kept."""

    def action() -> None:
        found = get_promise(db=db, actor=actor, promise_id=promise_id)
        keep_promise(db=db, actor=actor, promise=found, at=clock.now())

    return act_on_case(request, db, actor, clock, case_id, csrf, "promises", action)


@router.post("/cases/{case_id}/verify")
def verify_customer(
    case_id: uuid.UUID, request: Request, db: DbSession, actor: CurrentAgent, clock: ClockDep,
    question: Annotated[str, Form(max_length=40)], answer: Annotated[str, Form(max_length=200)],
    csrf: Csrf = "",
) -> Response:  # fmt: skip
    """Check the customer's answer; the page says match or no match, never the value on file."""

    def action() -> dict[str, Any]:
        attempt = VerificationAttempt(question=question, answer=answer)
        return {"verified": verify(db=db, actor=actor, case_id=case_id, data=attempt, at=clock.now())}

    return act_on_case(request, db, actor, clock, case_id, csrf, "verify", action)


@router.post("/cases/{case_id}/step")
def step(
    case_id: uuid.UUID, request: Request, db: DbSession, actor: CurrentAgent, clock: ClockDep,
    key: Annotated[str, Form(max_length=60)], csrf: Csrf = "",
) -> Response:  # fmt: skip
    """Start a playbook step: what to tell the customer now, and the promise to offer if it takes long."""

    def action() -> dict[str, Any]:
        started = start_step(db=db, actor=actor, case_id=case_id, data=StepStart(step=key), at=clock.now())
        return {"started": started}

    return act_on_case(request, db, actor, clock, case_id, csrf, "playbook", action)
