"""Single sign-on in the browser: "Sign in with …" leaves for the provider and comes back to the
callback, and Settings → Single sign-on, where an admin sets the provider and the rules."""

import re
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from attent.agents.account import open_web_session, safe_next
from attent.agents.deps import CurrentAgent, link_base
from attent.agents.models import Agent, Role
from attent.agents.service import list_teams, require_role, visible_agents
from attent.agents.sso import service
from attent.agents.sso.oidc import SsoRefused
from attent.agents.sso.schemas import ProviderIn
from attent.core.deps import ClockDep, DbSession, SettingsDep
from attent.core.errors import AttentError
from attent.core.i18n import gettext, label
from attent.core.templating import check_csrf, page_language, render

router = APIRouter(include_in_schema=False)


def _refused(request: Request, exc: AttentError, target: str = "/") -> HTMLResponse:
    """The sign-in page with the reason the provider's sign-in was refused, in the reader's language."""
    response = render(
        request, "signin.html", status_code=exc.status, page_url="/signin", next=target, error="sso",
        message=exc.say(page_language(request)), providers=[], email=request.query_params.get("email", ""),
    )  # fmt: skip
    response.delete_cookie(service.FLOW_COOKIE, path="/signin/sso")
    return response


@router.get("/signin/sso")
def sso_start(
    request: Request,
    db: DbSession,
    clock: ClockDep,
    settings: SettingsDep,
    organisation: Annotated[str, Query(max_length=60)] = "",
    email: Annotated[str, Query(max_length=254)] = "",
    next: str = "/",
) -> Response:
    """Leave for the organisation's provider; the state, nonce and PKCE verifier go in a sealed cookie.

    Given an address instead, the page offers the one provider its domain signs in with, as a link: a
    form's navigation may not be redirected to another site (our CSP says `form-action 'self'`).
    """
    target = safe_next(next)
    try:
        if not organisation:
            found = service.organisation_for_email(db=db, email=email)
            return render(
                request, "signin.html", page_url="/signin", next=target, error=None, providers=[found],
                sso_email=email.strip(),
            )  # fmt: skip
        url, sealed = service.begin(
            db=db, slug=organisation, base_url=link_base(request), target=target,
            secret_key=settings.secret_key, at=clock.now(), email=email.strip() or None,
        )  # fmt: skip
    except SsoRefused as exc:
        return _refused(request, exc, target)
    response = RedirectResponse(url, status_code=303)
    response.set_cookie(
        service.FLOW_COOKIE, sealed, httponly=True, samesite="lax", secure=settings.secure_cookies,
        max_age=int(service.FLOW_TTL.total_seconds()), path="/signin/sso",
    )  # fmt: skip
    return response


@router.get(service.CALLBACK_PATH)
def sso_callback(request: Request, db: DbSession, clock: ClockDep, settings: SettingsDep) -> Response:
    """Back from the provider: a checked id_token with a verified, allowed address opens a session."""
    try:
        agent, target = service.complete(
            db=db, cookie=request.cookies.get(service.FLOW_COOKIE), params=dict(request.query_params),
            base_url=link_base(request), secret_key=settings.secret_key, at=clock.now(),
        )  # fmt: skip
    except SsoRefused as exc:
        db.rollback()
        return _refused(request, exc)
    # The provider did the second factor (if the organisation set one up there); Attent's own code step
    # is for passwords.
    response = open_web_session(request, db, agent, settings, clock, safe_next(target))
    response.delete_cookie(service.FLOW_COOKIE, path="/signin/sso")
    return response


# --- Settings → Single sign-on -----------------------------------------------------------------------


def _page(
    request: Request,
    db: Session,
    actor: Agent,
    status_code: int = 200,
    form: dict[str, object] | None = None,
    error: str | None = None,
) -> HTMLResponse:
    require_role(actor, Role.ADMIN)
    provider = service.get_provider(db=db, organisation_id=actor.organisation_id)
    if form is None and provider is not None:
        form = {
            "label": provider.label, "issuer": provider.issuer, "client_id": provider.client_id,
            "allowed_domains": ", ".join(provider.allowed_domains), "enabled": provider.enabled,
            "create_agents": provider.create_agents, "default_role": provider.default_role.value,
            "default_team_id": str(provider.default_team_id or ""), "required": provider.required,
            "break_glass_agent_id": str(provider.break_glass_agent_id or ""),
        }  # fmt: skip
    admins = [a for a in visible_agents(db=db, actor=actor) if a.role is Role.ADMIN and a.active]
    return render(
        request, "admin_sso.html", status_code=status_code, agent=actor, provider=provider,
        form=form or {"enabled": True, "default_role": "agent"}, error=error,
        redirect_uri=service.redirect_uri(link_base(request)), teams=list_teams(db=db, actor=actor),
        admins=admins, roles=list(Role), role_names={r: label(actor.language, r.value, "role") for r in Role},
        saved=request.query_params.get("saved"),
    )  # fmt: skip


@router.get("/admin/sso")
def sso_page(request: Request, db: DbSession, actor: CurrentAgent) -> HTMLResponse:
    """The organisation's provider and its rules (admins)."""
    return _page(request, db, actor)


@router.post("/admin/sso")
async def sso_save(
    request: Request, db: DbSession, actor: CurrentAgent, clock: ClockDep, settings: SettingsDep
) -> Response:
    """Save the provider; a refusal draws the form again as typed, with the reason."""
    form = await request.form()
    check_csrf(request, str(form.get("csrf", "")))
    texts = {
        k: str(form.get(k, "")).strip()
        for k in ("label", "issuer", "client_id", "client_secret", "allowed_domains", "default_role")
    }
    choices = {k: str(form.get(k, "")) for k in ("default_team_id", "break_glass_agent_id")}
    flags = {k: form.get(k) == "true" for k in ("enabled", "create_agents", "required")}
    typed: dict[str, object] = {**texts, **choices, **flags, "client_secret": ""}
    body = {
        **{k: v for k, v in texts.items() if v}, **{k: v for k, v in choices.items() if v}, **flags,
        "allowed_domains": [d for d in re.split(r"[\s,;]+", texts["allowed_domains"]) if d],
    }  # fmt: skip
    try:
        data = ProviderIn.model_validate(body)
        service.save_provider(db=db, actor=actor, data=data, secret_key=settings.secret_key, at=clock.now())
    except ValidationError:
        return _page(request, db, actor, 422, typed, gettext(actor.language, "Fill in every field marked *."))
    except AttentError as exc:
        db.rollback()
        return _page(request, db, actor, exc.status, typed, _say_all(exc, actor.language))
    return RedirectResponse("/admin/sso?saved=1", status_code=303)


def _say_all(exc: AttentError, language: str) -> str:
    fields = getattr(exc, "errors", [])
    return " ".join([exc.say(language), *(f.say(language) for f in fields)])


@router.post("/admin/sso/remove")
def sso_remove(
    request: Request, db: DbSession, actor: CurrentAgent, csrf: Annotated[str, Form()] = ""
) -> Response:
    """Remove the provider: passwords work again for everyone who has one."""
    check_csrf(request, csrf)
    try:
        service.remove_provider(db=db, actor=actor)
    except AttentError as exc:
        db.rollback()
        return _page(request, db, actor, exc.status, error=exc.say(actor.language))
    return RedirectResponse("/admin/sso?saved=removed", status_code=303)
