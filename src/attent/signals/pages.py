"""The rules page: every rule with its state, a form per rule, the whole document as YAML, the dry run.

Admins change rules here; leads read them and may dry-run; agents get a 403 page. A refused save
shows the page again with each problem's path beside the form, and nothing saved.
"""

import uuid
from datetime import datetime
from typing import Annotated, Any

import yaml
from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from attent.agents import Agent, CurrentAgent, Role
from attent.agents.service import list_teams, require_role
from attent.core import yamlload
from attent.core.clock import Clock
from attent.core.deps import ClockDep, DbSession
from attent.core.errors import AttentError, FieldError, Invalid
from attent.core.i18n import gettext
from attent.core.pageforms import redraws, typed
from attent.core.templating import check_csrf, page_language, render
from attent.organisations.service import get_organisation
from attent.signals import dryrun, ruleform, rules
from attent.signals.schemas import DryRun
from attent.signals.service import signal_types
from attent.signals.shapes import ACTIONS, duration
from attent.signals.sources import source_names

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
    drafts: dict[str, dict[str, Any]] | None = None,
) -> HTMLResponse:
    document = rules.get_rulebook(db=db, actor=actor)
    editable = {k: v for k, v in document.items()}
    editable["rules"] = [{k: v for k, v in r.items() if k != "state"} for r in document["rules"]]
    for rule in document["rules"]:  # the document speaks JSON; the page shows local times
        if paused := rule["state"]["paused_at"]:
            rule["state"]["paused_at"] = datetime.fromisoformat(paused)
    org = get_organisation(db=db, organisation_id=actor.organisation_id)
    types = signal_types(db=db, organisation_id=actor.organisation_id)
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
        types=sorted(types),
        signal_types=types,
        actions=sorted(ACTIONS),
        drafts=drafts or {},
        new_rule=ruleform.blank(sorted(types)[0]),
        form=ruleform,
        teams=[(str(t.id), t.name) for t in list_teams(db=db, actor=actor)],
        sources=sorted(source_names(db=db, organisation_id=actor.organisation_id)),
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
    if rule_id or request.url.path == "/rules/new":
        key = name.removeprefix("rule-") if rule_id else None
        types = signal_types(db=db, organisation_id=actor.organisation_id)
        draft, _ = ruleform.from_form(values, key=key or "", types=types)
        where = {"signal": "when/signal"}
        beside = {where.get(str(e.path[-1]), str(e.path[-1])): e.say(language) for e in errors}
        form_id = name if rule_id else "rule-new"
        drafts = {form_id: {"rule": draft, "beside": beside, "rest": [], "detail": ""}}
        return _page(request, db, actor, clock, status_code=422, drafts=drafts)
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


async def _posted(request: Request) -> dict[str, str]:
    """The rule form's fields (their names are numbered: `if-0-op`), the last value of each."""
    return typed(await request.form())


Posted = Annotated[dict[str, str], Depends(_posted)]


def _form_save(
    request: Request,
    db: Session,
    actor: Agent,
    clock: Clock,
    form: dict[str, str],
    *,
    key: str | None,
) -> Response:
    """Read a rule form: an edit (add, remove, refresh) draws it again; otherwise the document is saved
    with this rule put in its place (`key`) or added (None), through the same checks as the YAML."""
    types = signal_types(db=db, organisation_id=actor.organisation_id)
    draft, read_errors = ruleform.from_form(form, key=key or "", types=types)
    form_id = f"rule-{key}" if key else "rule-new"
    if command := form.get("edit"):
        return _page(request, db, actor, clock, drafts={form_id: {"rule": ruleform.edit(draft, command)}})
    language = page_language(request)
    document = rules.get_rulebook(db=db, actor=actor)
    keys = [r["key"] for r in document["rules"]]
    index = keys.index(key) if key in keys else len(keys)
    problems: list[FieldError] = [
        FieldError(("rules", index, *e.path), e.message, e.params) for e in read_errors
    ]
    detail = gettext(language, "Problems in the rules: {n}; nothing was saved.", n=len(problems))
    if not problems:
        document["rules"][index : index + 1] = [draft]
        try:
            rules.put_rulebook(db=db, actor=actor, document=document, at=clock.now())
        except AttentError as exc:
            db.rollback()
            problems, detail = (exc.errors if isinstance(exc, Invalid) else []), exc.say(language)
            status = exc.status
        else:
            return RedirectResponse(f"/rules#rule-{draft['key']}", status_code=303)
    else:
        status = 422
    lines = []
    for e in problems:
        own = e.path[:2] == ("rules", index)
        lines.append(("/".join(str(p) for p in (e.path[2:] if own else e.path)), e.say(language)))
    beside, rest = ruleform.placed(draft, lines)
    drafts = {form_id: {"rule": draft, "beside": beside, "rest": rest, "detail": detail}}
    return _page(request, db, actor, clock, status_code=status, drafts=drafts)


@router.post("/rules/new")
@redraws(_refused)
def add_rule(
    request: Request,
    db: DbSession,
    actor: CurrentAgent,
    clock: ClockDep,
    csrf: Csrf,
    form: Posted,
    name: Annotated[str, Form(max_length=200)] = "",
    signal: Annotated[str, Form(max_length=80)] = "",
) -> Response:
    """Add a rule from the form (when / if / then), after the others."""
    check_csrf(request, csrf)
    require_role(actor, Role.ADMIN)
    return _form_save(request, db, actor, clock, form, key=None)


_SETTINGS_PATHS = {
    "max_contacts": "settings/frequency_cap/max_contacts", "days": "settings/frequency_cap/days",
    "quiet_start": "settings/quiet_hours/start", "quiet_end": "settings/quiet_hours/end",
}  # fmt: skip


def _refused_settings(
    request: Request, *, db: Session, actor: Any, clock: Clock, form: FormData, errors: list[FieldError]
) -> Response:
    """The guard rails' form refused before it was read (a field too long): again, as typed."""
    require_role(actor, Role.ADMIN)
    language = page_language(request)
    fields = {_SETTINGS_PATHS.get(str(e.path[-1]), "settings"): e.say(language) for e in errors}
    return _page(
        request, db, actor, clock, status_code=422,
        error={"form": "settings", "detail": "", "fields": fields, "errors": [], "values": typed(form)},
    )  # fmt: skip


@router.post("/rules/settings")
@redraws(_refused_settings)
def save_settings(
    request: Request,
    db: DbSession,
    actor: CurrentAgent,
    clock: ClockDep,
    csrf: Csrf,
    max_contacts: Annotated[str, Form(max_length=10)] = "",
    days: Annotated[str, Form(max_length=10)] = "",
    quiet: Annotated[str, Form()] = "",
    quiet_start: Annotated[str, Form(max_length=8)] = "",
    quiet_end: Annotated[str, Form(max_length=8)] = "",
) -> Response:
    """The guard rails of all rules: how often a customer may be contacted, and the quiet hours."""
    check_csrf(request, csrf)
    require_role(actor, Role.ADMIN)
    document = rules.get_rulebook(db=db, actor=actor)
    document["settings"] = {
        "frequency_cap": {"max_contacts": _whole(max_contacts), "days": _whole(days)},
        "quiet_hours": {"start": quiet_start[:5], "end": quiet_end[:5]} if quiet else None,
    }
    try:
        rules.put_rulebook(db=db, actor=actor, document=document, at=clock.now())
    except AttentError as exc:
        db.rollback()
        language = page_language(request)
        problems = exc.errors if isinstance(exc, Invalid) else []
        lines = [("/".join(str(p) for p in e.path), e.say(language)) for e in problems]
        return _page(
            request, db, actor, clock, status_code=exc.status,
            error={"form": "settings", "detail": exc.say(language), "fields": dict(lines), "errors": [],
                   "values": {"max_contacts": max_contacts, "days": days, "quiet": quiet,
                              "quiet_start": quiet_start, "quiet_end": quiet_end}},
        )  # fmt: skip
    return RedirectResponse("/rules#settings", status_code=303)


def _whole(text: str) -> int | str:
    """A whole number typed in a box, or the text itself (the check then names the field)."""
    return int(text) if text.strip().isdigit() else text


@router.post("/rules/{rule_id}")
@redraws(_refused)
def save_rule(
    rule_id: uuid.UUID,
    request: Request,
    db: DbSession,
    actor: CurrentAgent,
    clock: ClockDep,
    csrf: Csrf,
    form: Posted,
    name: Annotated[str, Form(max_length=200)] = "",
    signal: Annotated[str, Form(max_length=80)] = "",
) -> Response:
    """Change one rule from its form; the rest of the document stays as it is."""
    check_csrf(request, csrf)
    require_role(actor, Role.ADMIN)
    current = rules.find_rule(db=db, organisation_id=actor.organisation_id, rule=rule_id)
    return _form_save(request, db, actor, clock, form, key=current.key)


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
