"""Sign-in, sign-out, the language switch and the header's presence switch."""

from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from attent.agents import throttle
from attent.agents.account import after_password
from attent.agents.deps import CurrentAgent
from attent.agents.models import Presence
from attent.agents.schemas import AgentUpdate
from attent.agents.service import check_credentials, set_presence, sign_out, update_agent
from attent.agents.sso import service as sso
from attent.core.clock import Clock
from attent.core.csrf import SESSION_COOKIE
from attent.core.deps import ClockDep, DbSession, SettingsDep
from attent.core.errors import FieldError, RateLimited, Unauthenticated
from attent.core.i18n import gettext
from attent.core.pageforms import redraws, typed
from attent.core.templating import check_csrf, page_language, render

router = APIRouter(include_in_schema=False)


def _safe_next(target: str | None) -> str:
    """Only same-site paths, so the sign-in form cannot be used to redirect elsewhere."""
    return target if target and target.startswith("/") and not target.startswith("//") else "/"


@router.get("/signin")
def signin_form(request: Request, db: DbSession, next: str | None = None) -> HTMLResponse:
    """The sign-in page, with "Sign in with …" for each organisation's single sign-on."""
    return render(
        request, "signin.html", page_url="/signin", next=_safe_next(next), error=None,
        password_set=request.query_params.get("password") == "set", providers=sso.sign_in_buttons(db=db),
    )  # fmt: skip


def _signin_again(
    request: Request, *, db: Session, actor: Any, clock: Clock, form: FormData, errors: list[FieldError]
) -> Response:
    """A sign-in form refused before checking (an address too long to be one): the form, as typed."""
    values = typed(form, "password")
    return render(
        request, "signin.html", status_code=422, next=_safe_next(values.get("next")), error="invalid",
        email=values.get("email", ""),
    )  # fmt: skip


@router.post("/signin")
@redraws(_signin_again, signed_in=False)
def signin(
    request: Request,
    db: DbSession,
    clock: ClockDep,
    settings: SettingsDep,
    email: Annotated[str, Form(max_length=254)],
    password: Annotated[str, Form(max_length=200)],
    csrf: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
) -> Response:
    """Check credentials and set the session cookie (HttpOnly, SameSite)."""
    check_csrf(request, csrf)
    now = clock.now()
    window = timedelta(minutes=settings.signin_lock_minutes)
    email_key = throttle.key_for("email", email)
    limits = {
        email_key: throttle.Limit(settings.signin_failures_per_email, window),
        throttle.key_for("address", request.client.host if request.client else "unknown"): throttle.Limit(
            settings.signin_failures_per_address, window
        ),
    }
    try:
        throttle.check(db=db, limits=limits, at=now)
    except RateLimited as exc:
        return render(
            request,
            "signin.html",
            page_url="/signin",
            status_code=429,
            next=_safe_next(next),
            error=exc.code,
            retry_minutes=throttle.minutes_until(exc.retry_at or now + window, now),
            email=email,
        )
    try:
        agent = check_credentials(db=db, email=email, password=password)
    except Unauthenticated as exc:
        throttle.record_failure(db=db, limits=limits, at=now)
        return render(
            request, "signin.html", status_code=401, next=_safe_next(next), error=exc.code, email=email
        )
    throttle.forget(db=db, keys=[email_key])
    if provider := sso.password_refused(db=db, agent=agent):
        # Checked after the password, so the answer tells nobody who has an account here.
        return render(
            request, "signin.html", status_code=403, next=_safe_next(next), error="sso", email=email,
            message=gettext(
                page_language(request), "Your organisation signs in with {label}, not with a password.",
                label=provider.label,
            ),
            providers=sso.sign_in_buttons(db=db),
        )  # fmt: skip
    return after_password(request, db, agent, settings, clock, _safe_next(next))


@router.post("/signout")
def signout(request: Request, db: DbSession, clock: ClockDep, csrf: Annotated[str, Form()] = "") -> Response:
    """End the session."""
    check_csrf(request, csrf)
    if cookie := request.cookies.get(SESSION_COOKIE):
        sign_out(db=db, secret=cookie, at=clock.now())
    response = RedirectResponse("/signin", status_code=303)
    response.delete_cookie(SESSION_COOKIE)  # a remembered device (attent_device) stays remembered
    return response


@router.post("/language")
def language(
    request: Request,
    lang: Annotated[str, Form(pattern="^(nl|en)$")],
    csrf: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
) -> Response:
    """Switch the language of the pages before signing in."""
    check_csrf(request, csrf)
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie("attent_lang", lang, samesite="lax", max_age=365 * 86400)
    return response


@router.post("/me/presence")
def my_presence(
    request: Request,
    db: DbSession,
    actor: CurrentAgent,
    clock: ClockDep,
    presence: Annotated[Presence, Form()],
    csrf: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
) -> Response:
    """Set my presence from the header; going away or offline offers my promises to the team."""
    check_csrf(request, csrf)
    now = clock.now()
    # Pressing "available" again must not silently drop the shift end the agent gave earlier.
    staying = presence is Presence.AVAILABLE and actor.presence is Presence.AVAILABLE
    until = actor.available_until if staying else None
    set_presence(
        db=db,
        actor=actor,
        agent_id=actor.id,
        presence=presence,
        at=now,
        until=until if until is not None and until > now else None,
    )
    return RedirectResponse(_safe_next(next), status_code=303)


@router.post("/me/language")
def my_language(
    request: Request,
    db: DbSession,
    actor: CurrentAgent,
    clock: ClockDep,
    settings: SettingsDep,
    lang: Annotated[str, Form(pattern="^(nl|en)$")],
    csrf: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
) -> Response:
    """Switch my own language; the cookie keeps the sign-in page in it after signing out."""
    check_csrf(request, csrf)
    update_agent(db=db, actor=actor, agent_id=actor.id, data=AgentUpdate(language=lang), at=clock.now())
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(
        "attent_lang", lang, samesite="lax", secure=settings.secure_cookies, max_age=365 * 86400
    )
    return response
