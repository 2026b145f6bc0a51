"""Settings → E-mail: admins connect support addresses, change them, test them and remove them.

Forms post, redirect and get; a refused form comes back as typed with each bad field's reason beside it.
Passwords are never put back into a page: an empty password field on the edit form keeps the stored one.
"""

import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from starlette.datastructures import FormData

from attent.agents import Agent, CurrentAgent, Role
from attent.agents.service import list_teams
from attent.core.deps import ClockDep, DbSession, SettingsDep
from attent.core.errors import AttentError, Invalid
from attent.core.forms import say_plain
from attent.core.templating import check_csrf, page_language, render
from attent.mailboxes import service
from attent.mailboxes.conversation import set_aside
from attent.mailboxes.models import Mailbox, Security
from attent.mailboxes.schemas import ConnectionTest, MailboxIn, MailboxPatch
from attent.organisations.service import get_organisation

router = APIRouter(include_in_schema=False)
FIELDS = (
    "address", "display_name", "language", "team_id", "imap_host", "imap_port", "imap_security",
    "imap_username", "imap_password", "imap_folder", "smtp_host", "smtp_port", "smtp_security",
    "smtp_username", "smtp_password",
)  # fmt: skip
PASSWORDS = ("imap_password", "smtp_password")
OPTIONAL = (
    "display_name",
    "language",
    "imap_port",
    "imap_folder",
    "team_id",
    "smtp_host",
    "smtp_port",
    "smtp_security",
    "smtp_username",
    "smtp_password",
)


def _typed(form: FormData) -> dict[str, str]:
    return {name: str(form.get(name, "")).strip() for name in FIELDS}


def _values(typed: dict[str, str], *, keep_blank_passwords: bool) -> dict[str, Any]:
    """The form's text as the API's body: blank optional fields left out, a blank password kept as is."""
    values: dict[str, Any] = {}
    for name, value in typed.items():
        if not value and (name in OPTIONAL or (keep_blank_passwords and name in PASSWORDS)):
            continue
        values[name] = value
    values["active"] = "active" not in typed or typed.get("active") == "1"
    return values


def _field_errors(exc: AttentError | ValidationError, language: str) -> tuple[dict[str, str], str | None]:
    """Each bad field's reason (shown beside it), and a reason for the whole form."""
    if isinstance(exc, ValidationError):
        return {str(e["loc"][0]): say_plain(e, language) for e in exc.errors() if e["loc"]}, None
    if isinstance(exc, Invalid) and exc.errors:
        return {str(e.path[0]): e.say(language) for e in exc.errors}, None
    return {}, exc.say(language)


def _as_typed(mailbox: Mailbox) -> dict[str, str]:
    row = {name: getattr(mailbox, name, "") for name in FIELDS if name not in PASSWORDS}
    typed = {
        name: "" if value is None else str(getattr(value, "value", value)) for name, value in row.items()
    }
    return {**typed, "imap_password": "", "smtp_password": ""}


@router.get("/admin/mailboxes")
def mailboxes_page(request: Request, db: DbSession, actor: CurrentAgent) -> HTMLResponse:
    """The organisation's mailboxes and a form to connect one (admins)."""
    return _list_page(request, db, actor, dict.fromkeys(FIELDS, ""))


@router.post("/admin/mailboxes")
async def add_mailbox(
    request: Request, db: DbSession, actor: CurrentAgent, clock: ClockDep, settings: SettingsDep
) -> Response:
    """Connect a mailbox; a refusal shows the form again as typed (passwords excepted)."""
    form = await request.form()
    check_csrf(request, str(form.get("csrf", "")))
    typed = _typed(form)
    try:
        data = MailboxIn.model_validate(_values(typed, keep_blank_passwords=False))
        mailbox = service.create_mailbox(
            db=db, actor=actor, data=data, secret_key=settings.secret_key, at=clock.now()
        )
    except (AttentError, ValidationError) as exc:
        db.rollback()
        errors, error = _field_errors(exc, page_language(request))
        status = exc.status if isinstance(exc, AttentError) else 422
        typed.update(imap_password="", smtp_password="")
        return _list_page(request, db, actor, typed, errors=errors, error=error, status_code=status)
    return RedirectResponse(f"/admin/mailboxes/{mailbox.id}?saved=1", status_code=303)


@router.get("/admin/mailboxes/{mailbox_id}")
def mailbox_page(request: Request, mailbox_id: uuid.UUID, db: DbSession, actor: CurrentAgent) -> HTMLResponse:
    """One mailbox's settings, its last check, and the Test connection and Remove buttons."""
    mailbox = service.get_mailbox(db=db, actor=actor, mailbox_id=mailbox_id)
    return _edit_page(
        request, db, actor, mailbox, _as_typed(mailbox), saved=request.query_params.get("saved") == "1"
    )


@router.post("/admin/mailboxes/{mailbox_id}")
async def save_mailbox(
    request: Request,
    mailbox_id: uuid.UUID,
    db: DbSession,
    actor: CurrentAgent,
    clock: ClockDep,
    settings: SettingsDep,
) -> Response:
    """Change a mailbox; empty password fields keep the stored passwords."""
    form = await request.form()
    check_csrf(request, str(form.get("csrf", "")))
    mailbox = service.get_mailbox(db=db, actor=actor, mailbox_id=mailbox_id)
    typed = _typed(form)
    typed["active"] = "1" if form.get("active") else "0"
    values = _values(typed, keep_blank_passwords=True)
    values.pop("address", None)
    for name in ("team_id", "smtp_host", "smtp_port", "smtp_security", "smtp_username"):
        values.setdefault(name, None)  # emptied on the form: cleared
    try:
        data = MailboxPatch.model_validate(values)
        service.update_mailbox(
            db=db,
            actor=actor,
            mailbox_id=mailbox_id,
            data=data,
            secret_key=settings.secret_key,
            at=clock.now(),
        )
    except (AttentError, ValidationError) as exc:
        db.rollback()
        errors, error = _field_errors(exc, page_language(request))
        status = exc.status if isinstance(exc, AttentError) else 422
        typed.update(imap_password="", smtp_password="", address=mailbox.address)
        return _edit_page(request, db, actor, mailbox, typed, errors=errors, error=error, status_code=status)
    return RedirectResponse(f"/admin/mailboxes/{mailbox_id}?saved=1", status_code=303)


@router.post("/admin/mailboxes/{mailbox_id}/test")
async def test_mailbox(
    request: Request,
    mailbox_id: uuid.UUID,
    db: DbSession,
    actor: CurrentAgent,
    clock: ClockDep,
    settings: SettingsDep,
) -> Response:
    """Try both servers and show what each said (the outcome is also kept as the mailbox's last check)."""
    form = await request.form()
    check_csrf(request, str(form.get("csrf", "")))
    result = service.check_connection(
        db=db, actor=actor, mailbox_id=mailbox_id, secret_key=settings.secret_key,
        language=page_language(request), at=clock.now(),
    )  # fmt: skip
    mailbox = service.get_mailbox(db=db, actor=actor, mailbox_id=mailbox_id)
    return _edit_page(request, db, actor, mailbox, _as_typed(mailbox), test=result)


@router.post("/admin/mailboxes/{mailbox_id}/delete")
async def remove_mailbox(
    request: Request, mailbox_id: uuid.UUID, db: DbSession, actor: CurrentAgent
) -> Response:
    """Remove a mailbox (one that received mail is switched off, so its mail stays)."""
    form = await request.form()
    check_csrf(request, str(form.get("csrf", "")))
    service.delete_mailbox(db=db, actor=actor, mailbox_id=mailbox_id)
    return RedirectResponse("/admin/mailboxes?removed=1", status_code=303)


def _common(db: DbSession, actor: Agent) -> dict[str, Any]:
    return {
        "agent": actor,
        "teams": list_teams(db=db, actor=actor),
        "securities": [s.value for s in Security],
        "can_edit": actor.role is Role.ADMIN,
    }


def _list_page(
    request: Request,
    db: DbSession,
    actor: Agent,
    typed: dict[str, str],
    errors: dict[str, str] | None = None,
    error: str | None = None,
    status_code: int = 200,
    targets_typed: dict[str, str] | None = None,
    target_errors: dict[str, str] | None = None,
) -> HTMLResponse:
    admin = actor.role is Role.ADMIN
    mailboxes = service.list_mailboxes(db=db, actor=actor) if admin else []
    targets = {k: _hours(v) for k, v in service.reply_targets(db=db, actor=actor).items()} if admin else {}
    return render(
        request, "mailboxes/list.html", status_code=status_code, mailboxes=mailboxes, form=typed,
        errors=errors or {}, error=error, removed=request.query_params.get("removed") == "1",
        priorities=PRIORITIES, targets=targets_typed or targets, target_errors=target_errors or {},
        targets_saved=request.query_params.get("targets") == "saved", **_common(db, actor),
    )  # fmt: skip


PRIORITIES = ("urgent", "high", "normal", "low")


def _hours(value: float) -> str:
    return f"{value:g}"


def _number(text: str) -> float | None:
    """A number as a person types it: `1,5` or `1.5`; None for anything else."""
    try:
        value = float(text.strip().replace(",", "."))
    except ValueError:
        return None
    return value if value == value and value not in (float("inf"), float("-inf")) else None


@router.post("/admin/reply-targets")
async def save_reply_targets(request: Request, db: DbSession, actor: CurrentAgent) -> Response:
    """The answer time per priority (business hours); a refusal shows the form again as typed."""
    form = await request.form()
    check_csrf(request, str(form.get("csrf", "")))
    typed = {p: str(form.get(p, "")).strip() for p in PRIORITIES}
    try:
        service.set_reply_targets(db=db, actor=actor, hours={p: _number(v) for p, v in typed.items()})
    except AttentError as exc:
        db.rollback()
        errors, error = _field_errors(exc, page_language(request))
        return _list_page(
            request, db, actor, dict.fromkeys(FIELDS, ""), error=error, status_code=exc.status,
            targets_typed=typed, target_errors=errors,
        )  # fmt: skip
    return RedirectResponse("/admin/mailboxes?targets=saved#reply-targets", status_code=303)


def _edit_page(
    request: Request,
    db: DbSession,
    actor: Agent,
    mailbox: Mailbox,
    typed: dict[str, str],
    errors: dict[str, str] | None = None,
    error: str | None = None,
    status_code: int = 200,
    saved: bool = False,
    test: ConnectionTest | None = None,
) -> HTMLResponse:
    return render(
        request, "mailboxes/edit.html", status_code=status_code, mailbox=mailbox, form=typed,
        errors=errors or {}, error=error, saved=saved and not errors and not error, test=test,
        aside=set_aside(db=db, organisation_id=mailbox.organisation_id, mailbox_id=mailbox.id),
        tz=get_organisation(db=db, organisation_id=mailbox.organisation_id).timezone,
        **_common(db, actor),
    )  # fmt: skip
