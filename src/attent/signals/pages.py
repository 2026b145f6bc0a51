"""The rules page: every rule with its state, a form per rule, the whole document as YAML, the dry run.

Admins change rules here; leads read them and may dry-run; agents get a 403 page. A refused save
shows the page again with each problem's path beside the form, and nothing saved.
"""

import uuid
from datetime import datetime
from typing import Annotated, Any

import yaml
from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from attent.agents import Agent, CurrentAgent, Role
from attent.agents.service import require_role
from attent.core import yamlload
from attent.core.clock import Clock
from attent.core.deps import ClockDep, DbSession
from attent.core.errors import AttentError, FieldError, Invalid
from attent.core.i18n import gettext
from attent.core.pageforms import redraws, typed
from attent.core.templating import check_csrf, page_language, render
from attent.organisations.service import get_organisation
from attent.signals import dryrun, rules
from attent.signals.schemas import DryRun
from attent.signals.service import signal_types
from attent.signals.shapes import ACTIONS, duration

router = APIRouter(include_in_schema=False)
Text = Annotated[str, Form(max_length=200_000)]
Csrf = Annotated[str, Form()]


def _yaml(value: Any) -> str:
    return yaml.safe_dump(value, sort_keys=False, allow_unicode=True, width=100) if value else ""


def _page(
    request: Request,
    db: Session,
    actor: Agent,
    clock: Clock,
    *,
    status_code: int = 200,
    error: dict[str, Any] | None = None,
    draft: str | None = None,
    dry: DryRun | None = None,
) -> HTMLResponse:
    document = rules.get_rulebook(db=db, actor=actor)
    editable = {k: v for k, v in document.items()}
    editable["rules"] = [{k: v for k, v in r.items() if k != "state"} for r in document["rules"]]
    for rule in document["rules"]:  # the document speaks JSON; the page shows local times
        if paused := rule["state"]["paused_at"]:
            rule["state"]["paused_at"] = datetime.fromisoformat(paused)
    org = get_organisation(db=db, organisation_id=actor.organisation_id)
    return render(
        request,
        "rules.html",
        status_code=status_code,
        page_url="/rules",
        agent=actor,
        document=document,
        text=draft if draft is not None else _yaml(editable),
        as_yaml=_yaml,
        can_edit=actor.role is Role.ADMIN,
        types=sorted(signal_types(db=db, organisation_id=actor.organisation_id)),
        actions=sorted(ACTIONS),
        error=error,
        dry=dry,
        now=clock.now(),
        tz=org.timezone,
    )


@router.get("/rules")
def rules_page(request: Request, db: DbSession, actor: CurrentAgent, clock: ClockDep) -> HTMLResponse:
    """The organisation's rules (leads and admins)."""
    require_role(actor, Role.LEAD)
    return _page(request, db, actor, clock)


def _save(
    request: Request,
    db: Session,
    actor: Agent,
    clock: Clock,
    document: Any,
    draft: str,
    form: str,
    typed_in: dict[str, str] | None = None,
) -> Response:
    try:
        rules.put_rulebook(db=db, actor=actor, document=document, at=clock.now())
    except AttentError as exc:
        db.rollback()
        problems = exc.errors if isinstance(exc, Invalid) else []
        language = page_language(request)
        lines = [{"path": "/".join(str(p) for p in e.path), "message": e.say(language)} for e in problems]
        return _page(
            request, db, actor, clock, status_code=exc.status, draft=draft,
            error={"form": form, "detail": exc.say(language), "errors": lines, "values": typed_in or {}},
        )  # fmt: skip
    return RedirectResponse(f"/rules#{form}", status_code=303)


def _refused(
    request: Request, *, db: Session, actor: Any, clock: Clock, form: FormData, errors: list[FieldError]
) -> Response:
    """A rules form refused before it was read (a field too long): the page, the form as typed."""
    require_role(actor, Role.ADMIN)
    values, language = typed(form), page_language(request)
    name = "document"
    if rule_id := request.path_params.get("rule_id"):
        current = rules.find_rule(db=db, organisation_id=actor.organisation_id, rule=uuid.UUID(rule_id))
        name = f"rule-{current.key}"
    lines = [{"path": str(e.path[-1]), "message": e.say(language)} for e in errors]
    return _page(
        request, db, actor, clock, status_code=422, draft=values.get("document"),
        error={"form": name, "detail": "", "errors": lines, "values": values},
    )  # fmt: skip


@router.post("/rules")
@redraws(_refused)
def save_document(
    request: Request, db: DbSession, actor: CurrentAgent, clock: ClockDep, csrf: Csrf, document: Text
) -> Response:
    """Replace the whole document from the YAML (or JSON) text area."""
    check_csrf(request, csrf)
    require_role(actor, Role.ADMIN)
    try:
        parsed = yamlload.safe_load(document)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        language = page_language(request)
        if isinstance(exc, yamlload.Refused):  # too deep, or a NUL character: its own sentence
            detail = gettext(language, exc.detail)
        elif mark:
            detail = gettext(language, "Not valid YAML (line {line}).", line=mark.line + 1)
        else:
            detail = gettext(language, "Not valid YAML.")
        return _page(
            request, db, actor, clock, status_code=422, draft=document,
            error={"form": "document", "detail": detail, "errors": []},
        )  # fmt: skip
    return _save(request, db, actor, clock, parsed, document, "document")


@router.post("/rules/{rule_id}")
@redraws(_refused)
def save_rule(
    rule_id: uuid.UUID,
    request: Request,
    db: DbSession,
    actor: CurrentAgent,
    clock: ClockDep,
    csrf: Csrf,
    name: Annotated[str, Form(max_length=200)],
    signal: Annotated[str, Form(max_length=80)],
    conditions: Text = "",
    actions: Text = "",
    after: Annotated[str, Form(max_length=20)] = "",
    active: Annotated[str, Form()] = "",
) -> Response:
    """Change one rule from its form; the rest of the document stays as it is."""
    check_csrf(request, csrf)
    require_role(actor, Role.ADMIN)
    current = rules.find_rule(db=db, organisation_id=actor.organisation_id, rule=rule_id)
    form = f"rule-{current.key}"
    typed_in = {
        "name": name, "signal": signal, "after": after, "conditions": conditions, "actions": actions,
        "active": active,
    }  # fmt: skip
    try:
        parsed_if, parsed_then = yamlload.safe_load(conditions) or [], yamlload.safe_load(actions) or []
    except yaml.YAMLError:
        return _page(
            request, db, actor, clock, status_code=422,
            error={
                "form": form,
                "detail": gettext(page_language(request), "The conditions or actions are not valid YAML."),
                "errors": [],
                "values": typed_in,
            },
        )  # fmt: skip
    document = rules.get_rulebook(db=db, actor=actor)
    for rule in document["rules"]:
        if rule["key"] == current.key:
            rule.update(name=name, active=bool(active), when={"signal": signal, "after": after or None})
            rule.update({"if": parsed_if, "then": parsed_then})
    return _save(request, db, actor, clock, document, _yaml(document), form, typed_in)


@router.post("/rules/{rule_id}/resume")
def resume(
    rule_id: uuid.UUID, request: Request, db: DbSession, actor: CurrentAgent, clock: ClockDep, csrf: Csrf
) -> Response:
    """Resume a paused rule; the signals it kept run again."""
    check_csrf(request, csrf)
    rules.resume_rule(db=db, actor=actor, rule_id=rule_id, at=clock.now())
    return RedirectResponse("/rules", status_code=303)


@router.get("/rules/{rule_id}/dry-run")
def dry_run_page(
    rule_id: uuid.UUID,
    request: Request,
    db: DbSession,
    actor: CurrentAgent,
    clock: ClockDep,
    since: str = "30d",
) -> HTMLResponse:
    """The rules page with what one rule would have done over past signals (nothing is written)."""
    require_role(actor, Role.LEAD)
    try:
        back = duration(since)
    except ValueError as exc:
        raise Invalid("invalid_since", str(exc), [FieldError.because(("query", "since"), exc)]) from None
    now = clock.now()
    result = dryrun.dry_run(
        db=db, organisation_id=actor.organisation_id, rule=rule_id, since=now - back, now=now
    )
    return _page(request, db, actor, clock, dry=result)
