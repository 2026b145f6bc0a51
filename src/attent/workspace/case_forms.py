"""The case page's forms: reply, note, log a call, change status, promise, verify, follow the playbook.

Each form posts here and is redirected to the case page on success (Post/Redirect/Get, so a reload
never posts twice and the live refresh asks for the page, not for the form's address); a refusal
re-renders the page with the reason beside the form, the form filled in as typed, and nothing
written. Verification and playbook steps answer on the page they redirect to (match or no match,
what to say next), through a short-lived signed flash (core/flash.py).
"""

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from pydantic import TypeAdapter, ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from attent.agents import Agent, CurrentAgent
from attent.cases import CaseStatus, PromiseChoice
from attent.cases.service import FINISHED, add_note, change_status, get_case
from attent.contacts import Channel, ContactCreate, Direction, MessageIn, Outcome, Speaker
from attent.contacts.service import log_contact, reply_by_email
from attent.core import flash
from attent.core.clock import Clock
from attent.core.deps import ClockDep, DbSession, SettingsDep
from attent.core.errors import AttentError, FieldError, Invalid
from attent.core.forms import plain
from attent.core.i18n import gettext
from attent.core.pageforms import Redraw, redraws, submit_once, typed
from attent.core.settings import Settings
from attent.core.templating import check_csrf, page_language
from attent.files import Attachment, UploadedBy
from attent.files.service import store_attachments, uploads_of
from attent.organisations.service import get_organisation
from attent.playbooks import StepStart
from attent.playbooks.service import start_step
from attent.promises import PromiseCreate
from attent.promises.service import get_promise, keep_promise, make_promise
from attent.verification import VerificationAttempt
from attent.verification.service import verify
from attent.workspace.case_page import case_view, flash_for

router = APIRouter(include_in_schema=False)
Text = Annotated[str, Form(max_length=20_000)]
Csrf = Annotated[str, Form()]
Once = Annotated[str, Form(max_length=64)]  # the form's one-time token (core/pageforms.py)
# <input type=file multiple>: an input left empty sends a part without a file name (a browser), or a plain
# empty field (some clients); neither is a file.
Files = Annotated[list[UploadFile | str], File(default_factory=list)]


# What each form's fields are called on the page, so a refusal can name the field it is about.
FIELDS: dict[str, dict[str, str]] = {
    "reply": {"text": "Message (sent by e-mail)", "files": "Attach files"},
    "note": {"text": "Note for colleagues (never shown to the customer)", "files": "Attach files"},
    "call": {
        "direction": "Direction", "outcome": "Outcome", "minutes": "Minutes", "summary": "Summary (optional)",
    },
    "status": {"to": "Move to"},
    "make-promise": {
        "kind": "What", "words": "What you said to the customer", "in_minutes": "Within (minutes)",
        "due_at": "or at (local time)", "due_from": "When", "due_by": "When", "step_type": "When",
    },
    "verify": {"question": "Ask the least sensitive question that works", "answer": "The customer's answer"},
    "playbook": {"key": "Playbook"},
    "recovery": {"code": "Another gesture", "reason": "Why (for colleagues)"},
}  # fmt: skip


def act_on_case(
    request: Request,
    db: Session,
    actor: Agent,
    clock: Clock,
    case_id: uuid.UUID,
    csrf: str,
    form: str,
    action: Callable[[], dict[str, Any] | None],
    values: dict[str, str] | None = None,
    *,
    once: str = "",
) -> Response:
    """Run one form's action; back to the page on success, or the page with the reason on refusal.

    `values` are the form's fields as typed, to fill the form in again when it is refused; `once` is
    the form's one-time token: the same post again is answered as the first and does nothing. The
    case page's own forms and the panels other domains add to it (recovery, coach) all post here."""
    check_csrf(request, csrf)
    refused = Refused(request, db, actor, clock, case_id, form, values or {})
    guard, first = submit_once(
        request=request, db=db, actor=actor, token=once, values=values or {}, at=clock.now()
    )
    if first is not None:  # posted twice: the first post's answer, nothing done again
        return _back(request, actor, case_id, clock, first["location"], first.get("flash"))
    try:
        shown = action()
    except AttentError as exc:
        db.rollback()
        return refused(exc.status, exc, _field_errors(exc))
    except ValidationError as exc:
        db.rollback()
        return refused(422, None, [FieldError(tuple(e["loc"]), *plain(e)) for e in exc.errors()])
    location = f"/cases/{case_id}#{form}"
    # An answer for the page (verification, playbook step) travels in a flash.
    data = {name: value.model_dump(mode="json") for name, value in shown.items()} if shown else None
    if guard is not None:
        guard.remember({"location": location, "flash": data}, status_code=303)
    return _back(request, actor, case_id, clock, location, data)


def _back(
    request: Request,
    actor: Agent,
    case_id: uuid.UUID,
    clock: Clock,
    location: str,
    data: dict[str, Any] | None,
) -> Response:
    back = RedirectResponse(location, status_code=303)
    if data:
        flash.put(back, **flash_for(request, actor, case_id, clock), data=data)
    return back


@dataclass(frozen=True)
class Refused:
    """Draws the case page for a refused form: the reason beside the form, the form as it was typed."""

    request: Request
    db: Session
    actor: Agent
    clock: Clock
    case_id: uuid.UUID
    form: str
    values: dict[str, str]

    def __call__(self, status: int, error: AttentError | None, fields: list[FieldError]) -> Response:
        """The page, with `error`'s sentence (if any) and each field's reason."""
        language = page_language(self.request)
        names = FIELDS.get(self.form, {})
        reasons = []
        for field_error in fields:
            field = str(field_error.path[-1]) if field_error.path else ""
            said = field_error.say(language)
            reasons.append(f"{gettext(language, names[field])}: {said}" if field in names else said)
        shown = {
            "form": self.form,
            "detail": error.say(language) if error else "",
            "errors": reasons,
            "values": self.values,
        }
        return case_view(
            self.request, db=self.db, actor=self.actor, clock=self.clock, case_id=self.case_id,
            status_code=status, form_error=shown,
        )  # fmt: skip


def _field_errors(exc: AttentError) -> list[FieldError]:
    return exc.errors if isinstance(exc, Invalid) else []


def case_form(name: str) -> Redraw:
    """How a case page form refused before its route ran is drawn again: the page, the form as typed."""

    def redraw(
        request: Request, *, db: Session, actor: Any, clock: Clock, form: FormData, errors: list[FieldError]
    ) -> Response:
        case_id = uuid.UUID(request.path_params["case_id"])
        return Refused(request, db, actor, clock, case_id, name, typed(form))(422, None, errors)

    return redraw


@router.post("/cases/{case_id}/reply")
@redraws(case_form("reply"))
def reply(
    case_id: uuid.UUID, request: Request, db: DbSession, actor: CurrentAgent, clock: ClockDep,
    settings: SettingsDep, text: Text, files: Files, csrf: Csrf = "", once: Once = "",
) -> Response:  # fmt: skip
    """Write to the customer: recorded on the case, and e-mailed (with its files) through the outbox."""

    def action() -> None:
        stored = _store_files(db, actor, clock, settings, case_id, files)
        ids = [a.id for a in stored]
        reply_by_email(db=db, actor=actor, case_id=case_id, text=text, at=clock.now(), attachment_ids=ids)

    return act_on_case(request, db, actor, clock, case_id, csrf, "reply", action, {"text": text}, once=once)


def _store_files(
    db: Session,
    actor: Agent,
    clock: Clock,
    settings: Settings,
    case_id: uuid.UUID,
    files: list[UploadFile | str],
    note_id: uuid.UUID | None = None,
) -> list[Attachment]:
    """The files a reply or note form carried, stored on the case (none when the file input was left
    empty); over a limit the whole form is refused, naming the limit."""
    uploads = uploads_of([f for f in files if not isinstance(f, str)])
    if not uploads:
        return []
    case = get_case(db=db, actor=actor, case_id=case_id)
    return store_attachments(
        db, org_id=case.organisation_id, case_id=case.id, uploads=uploads, clock=clock, settings=settings,
        uploaded_by=UploadedBy.AGENT, agent=actor, note_id=note_id,
    )  # fmt: skip


@router.post("/cases/{case_id}/note")
@redraws(case_form("note"))
def note(
    case_id: uuid.UUID, request: Request, db: DbSession, actor: CurrentAgent, clock: ClockDep,
    settings: SettingsDep, text: Text, files: Files, csrf: Csrf = "", once: Once = "",
) -> Response:  # fmt: skip
    """An internal note for colleagues, with files if any."""

    def action() -> None:
        if not text.strip():
            raise Invalid("empty_note", "Write something in the note.", [FieldError(("text",), "Empty.")])
        written = add_note(db=db, actor=actor, case_id=case_id, text=text.strip(), at=clock.now())
        _store_files(db, actor, clock, settings, case_id, files, note_id=written.id)

    return act_on_case(request, db, actor, clock, case_id, csrf, "note", action, {"text": text}, once=once)


@router.post("/cases/{case_id}/call")
@redraws(case_form("call"))
def log_call(
    case_id: uuid.UUID, request: Request, db: DbSession, actor: CurrentAgent, clock: ClockDep,
    direction: Annotated[Direction, Form()], outcome: Annotated[Outcome, Form()],
    minutes: Annotated[int, Form(ge=0, le=600)] = 0, summary: Annotated[str, Form(max_length=2000)] = "",
    csrf: Csrf = "", once: Once = "",
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

    typed_in = {
        "direction": direction.value,
        "outcome": outcome.value,
        "minutes": str(minutes),
        "summary": summary,
    }
    return act_on_case(request, db, actor, clock, case_id, csrf, "call", action, typed_in, once=once)


Each = Annotated[list[str], Form(default_factory=list)]  # one value per open promise, in page order
CHOICES = TypeAdapter(list[PromiseChoice])


@router.post("/cases/{case_id}/status")
@redraws(case_form("status"))
def status(
    case_id: uuid.UUID, request: Request, db: DbSession, actor: CurrentAgent, clock: ClockDep,
    to: Annotated[CaseStatus, Form()], promise_id: Each, fate: Each, reason: Each, csrf: Csrf = "",
    once: Once = "",
) -> Response:  # fmt: skip
    """Move the case on (only the legal moves are offered); resolving says what becomes of each promise."""

    def action() -> None:
        case = get_case(db=db, actor=actor, case_id=case_id)
        choices = _choices(promise_id, fate, reason) if to in FINISHED else []
        change_status(db=db, actor=actor, case=case, to=to, at=clock.now(), promises=choices)
        db.flush()

    typed_in = {"to": to.value}  # and each promise's choice, by its id, to fill the rows in again
    typed_in |= {f"fate-{p}": f for p, f in zip(promise_id, fate, strict=False)}
    typed_in |= {f"reason-{p}": r for p, r in zip(promise_id, reason, strict=False)}
    return act_on_case(request, db, actor, clock, case_id, csrf, "status", action, typed_in, once=once)


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
@redraws(case_form("make-promise"))
def promise(
    case_id: uuid.UUID, request: Request, db: DbSession, actor: CurrentAgent, clock: ClockDep,
    kind: Annotated[str, Form()], words: Annotated[str, Form(max_length=2000)] = "",
    in_minutes: Annotated[int | None, Form(ge=1, le=60 * 24 * 14)] = None,
    due_at: Annotated[str, Form(max_length=40)] = "", due_from: Annotated[str, Form(max_length=40)] = "",
    due_by: Annotated[str, Form(max_length=40)] = "", step_type: Annotated[str, Form(max_length=60)] = "",
    tell_customer: Annotated[bool, Form()] = False, csrf: Csrf = "", once: Once = "",
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

    typed_in = {
        "kind": kind, "words": words, "in_minutes": str(in_minutes or ""), "due_at": due_at,
        "tell_customer": "true" if tell_customer else "",
    }  # fmt: skip
    return act_on_case(request, db, actor, clock, case_id, csrf, "make-promise", action, typed_in, once=once)


@router.post("/cases/{case_id}/promises/{promise_id}/keep")
@redraws(case_form("promises"))
def keep(
    case_id: uuid.UUID, promise_id: uuid.UUID, request: Request, db: DbSession, actor: CurrentAgent,
    clock: ClockDep, csrf: Csrf = "", once: Once = "",
) -> Response:  # fmt: skip
    """Mark a promise kept."""

    def action() -> None:
        found = get_promise(db=db, actor=actor, promise_id=promise_id)
        keep_promise(db=db, actor=actor, promise=found, at=clock.now())

    return act_on_case(request, db, actor, clock, case_id, csrf, "promises", action, once=once)


@router.post("/cases/{case_id}/verify")
@redraws(case_form("verify"))
def verify_customer(
    case_id: uuid.UUID, request: Request, db: DbSession, actor: CurrentAgent, clock: ClockDep,
    question: Annotated[str, Form(max_length=40)], answer: Annotated[str, Form(max_length=200)],
    csrf: Csrf = "", once: Once = "",
) -> Response:  # fmt: skip
    """Check the customer's answer; the page says match or no match, never the value on file."""

    def action() -> dict[str, Any]:
        attempt = VerificationAttempt(question=question, answer=answer)
        return {"verified": verify(db=db, actor=actor, case_id=case_id, data=attempt, at=clock.now())}

    typed_in = {"question": question, "answer": answer}
    return act_on_case(request, db, actor, clock, case_id, csrf, "verify", action, typed_in, once=once)


@router.post("/cases/{case_id}/step")
@redraws(case_form("playbook"))
def step(
    case_id: uuid.UUID, request: Request, db: DbSession, actor: CurrentAgent, clock: ClockDep,
    key: Annotated[str, Form(max_length=60)], csrf: Csrf = "", once: Once = "",
) -> Response:  # fmt: skip
    """Start a playbook step: what to tell the customer now, and the promise to offer if it takes long."""

    def action() -> dict[str, Any]:
        started = start_step(db=db, actor=actor, case_id=case_id, data=StepStart(step=key), at=clock.now())
        return {"started": started}

    return act_on_case(request, db, actor, clock, case_id, csrf, "playbook", action, once=once)
