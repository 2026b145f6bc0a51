"""The pages around a password: the second sign-in step (a code, or enrolling one), setting a password
through an e-mailed link, asking for a reset, and "My sign-in" where agents see and end their sessions
and switch on two-factor sign-in.

Between the password and the code the browser holds a short-lived `pending` token (10 minutes, its
own cookie, good for nothing but this step); only a right code turns it into a session.
"""

import uuid
from datetime import timedelta
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup
from sqlalchemy.orm import Session

from attent.agents import people, throttle, twofactor
from attent.agents.deps import CurrentAgent, link_base
from attent.agents.models import Agent, TokenKind
from attent.agents.service import authenticate, open_session, sign_out
from attent.core.clock import Clock
from attent.core.csrf import SESSION_COOKIE
from attent.core.deps import ClockDep, DbSession, SettingsDep, credential_of
from attent.core.errors import AttentError, RateLimited, Unauthenticated
from attent.core.settings import Settings
from attent.core.templating import check_csrf, page_language, render
from attent.organisations import Organisation

router = APIRouter(include_in_schema=False)
PENDING_COOKIE, DEVICE_COOKIE = "attent_pending", "attent_device"
PENDING_TTL = timedelta(minutes=10)


def safe_next(target: str | None) -> str:
    """Only same-site paths, so a form cannot be used to redirect elsewhere."""
    return target if target and target.startswith("/") and not target.startswith("//") else "/"


def _session_response(
    request: Request, db: Session, agent: Agent, settings: Settings, clock: Clock, target: str
) -> RedirectResponse:
    secret = open_session(
        db=db, agent=agent, at=clock.now(), ttl=timedelta(days=settings.session_days),
        device=request.headers.get("user-agent"),
    )  # fmt: skip
    response = RedirectResponse(target, status_code=303)
    _set_session_cookie(response, secret, settings)
    response.delete_cookie(PENDING_COOKIE, path="/signin")
    return response


def open_web_session(
    request: Request, db: Session, agent: Agent, settings: Settings, clock: Clock, target: str
) -> RedirectResponse:
    """A session for an agent whose identity is settled (single sign-on), and the way to `target`."""
    return _session_response(request, db, agent, settings, clock, target)


def _set_session_cookie(response: Response, secret: str, settings: Settings) -> None:
    response.set_cookie(
        SESSION_COOKIE, secret, httponly=True, samesite="lax", secure=settings.secure_cookies,
        max_age=settings.session_days * 86400,
    )  # fmt: skip


def after_password(
    request: Request, db: Session, agent: Agent, settings: Settings, clock: Clock, target: str
) -> Response:
    """The password was right: a session, or first the second factor (or enrolling in it, when the
    organisation requires one and the agent has none yet). A remembered browser skips the code."""
    rule = twofactor.policy(db=db, organisation_id=agent.organisation_id)
    has_factor = twofactor.enrolled(db=db, agent=agent)
    if not has_factor and not rule.required:
        return _session_response(request, db, agent, settings, clock, target)
    if has_factor and (device := request.cookies.get(DEVICE_COOKIE)):
        try:
            known, _ = authenticate(db=db, secret=device, at=clock.now(), kind=TokenKind.DEVICE)
        except Unauthenticated:
            known = None
        if known is not None and known.id == agent.id:
            return _session_response(request, db, agent, settings, clock, target)
    pending = open_session(db=db, agent=agent, at=clock.now(), ttl=PENDING_TTL, kind=TokenKind.PENDING)
    step = "/signin/code" if has_factor else "/signin/setup"
    response = RedirectResponse(f"{step}?next={quote(target, safe='/')}", status_code=303)
    response.set_cookie(
        PENDING_COOKIE, pending, httponly=True, samesite="lax", secure=settings.secure_cookies,
        max_age=int(PENDING_TTL.total_seconds()), path="/signin",
    )  # fmt: skip
    return response


def _pending_agent(request: Request, db: Session, clock: Clock) -> Agent | None:
    secret = request.cookies.get(PENDING_COOKIE)
    if not secret:
        return None
    try:
        agent, _ = authenticate(db=db, secret=secret, at=clock.now(), kind=TokenKind.PENDING)
    except Unauthenticated:
        return None
    request.state.language = agent.language
    return agent


@router.get("/signin/code")
def code_form(request: Request, db: DbSession, clock: ClockDep, next: str = "/") -> Response:
    """The second step: the code from the authenticator app (or a recovery code)."""
    if _pending_agent(request, db, clock) is None:
        return RedirectResponse("/signin", status_code=303)
    return render(
        request, "signin_code.html", next=safe_next(next), error=None, remember_days=_days(db, request, clock)
    )


def _days(db: Session, request: Request, clock: Clock) -> int:
    agent = _pending_agent(request, db, clock)
    return twofactor.policy(db=db, organisation_id=agent.organisation_id).remember_days if agent else 0


@router.post("/signin/code")
def code_check(
    request: Request,
    db: DbSession,
    clock: ClockDep,
    settings: SettingsDep,
    code: Annotated[str, Form()],
    csrf: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
    remember: Annotated[bool, Form()] = False,
) -> Response:
    """Check the code; a right one opens the session (and remembers this browser if asked and allowed)."""
    check_csrf(request, csrf)
    agent = _pending_agent(request, db, clock)
    if agent is None:
        return RedirectResponse("/signin", status_code=303)
    now, target = clock.now(), safe_next(next)
    window = timedelta(minutes=settings.signin_lock_minutes)
    limits = {
        throttle.key_for("code", str(agent.id)): throttle.Limit(settings.signin_failures_per_email, window)
    }
    days = twofactor.policy(db=db, organisation_id=agent.organisation_id).remember_days
    try:
        throttle.check(db=db, limits=limits, at=now)
        twofactor.verify(db=db, agent=agent, code=code, at=now, secret_key=settings.secret_key)
    except RateLimited as exc:
        return render(
            request,
            "signin_code.html",
            status_code=429,
            next=target,
            error=exc.say(agent.language),
            remember_days=days,
        )
    except AttentError as exc:
        db.rollback()
        throttle.record_failure(db=db, limits=limits, at=now)
        db.commit()
        return render(
            request,
            "signin_code.html",
            status_code=401,
            next=target,
            error=exc.say(agent.language),
            remember_days=days,
        )
    throttle.forget(db=db, keys=limits)
    sign_out(db=db, secret=request.cookies.get(PENDING_COOKIE, ""), at=now)
    response = _session_response(request, db, agent, settings, clock, target)
    if remember and days > 0:
        device = open_session(
            db=db, agent=agent, at=now, ttl=timedelta(days=days), kind=TokenKind.DEVICE,
            device=request.headers.get("user-agent"),
        )  # fmt: skip
        response.set_cookie(
            DEVICE_COOKIE, device, httponly=True, samesite="lax", secure=settings.secure_cookies,
            max_age=days * 86400,
        )  # fmt: skip
    return response


def _org_name(db: Session, agent: Agent) -> str:
    org = db.get(Organisation, agent.organisation_id)
    return org.name if org else ""


def _enrol_context(db: Session, agent: Agent, secret: str | None = None) -> dict[str, Any]:
    secret = secret or twofactor.new_secret()
    uri, svg = twofactor.qr_svg(secret=secret, agent=agent, organisation=_org_name(db, agent))
    return {"secret": secret, "uri": uri, "qr": Markup(svg)}  # noqa: S704  (segno draws it: no user HTML)


@router.get("/signin/setup")
def setup_form(request: Request, db: DbSession, clock: ClockDep, next: str = "/") -> Response:
    """Enrol in two-factor sign-in, because the organisation requires it, before the first session."""
    agent = _pending_agent(request, db, clock)
    if agent is None:
        return RedirectResponse("/signin", status_code=303)
    return render(request, "signin_setup.html", next=safe_next(next), error=None, **_enrol_context(db, agent))


@router.post("/signin/setup")
def setup_save(
    request: Request,
    db: DbSession,
    clock: ClockDep,
    settings: SettingsDep,
    secret: Annotated[str, Form()],
    code: Annotated[str, Form()],
    csrf: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
) -> Response:
    """The app's first code proves it holds the secret: enrolled; the recovery codes are shown once."""
    check_csrf(request, csrf)
    agent = _pending_agent(request, db, clock)
    if agent is None:
        return RedirectResponse("/signin", status_code=303)
    now, target = clock.now(), safe_next(next)
    try:
        codes = twofactor.enrol(
            db=db, agent=agent, secret=secret, code=code, at=now, secret_key=settings.secret_key
        )
    except AttentError as exc:
        db.rollback()
        context = _enrol_context(db, agent, secret)
        return render(
            request,
            "signin_setup.html",
            status_code=422,
            next=target,
            error=exc.say(agent.language),
            **context,
        )
    sign_out(db=db, secret=request.cookies.get(PENDING_COOKIE, ""), at=now)
    session = open_session(
        db=db, agent=agent, at=now, ttl=timedelta(days=settings.session_days),
        device=request.headers.get("user-agent"),
    )  # fmt: skip
    response = render(request, "recovery_codes.html", codes=codes, next=target, agent=None)
    _set_session_cookie(response, session, settings)
    response.delete_cookie(PENDING_COOKIE, path="/signin")
    return response


# --- a password through an e-mailed link -----------------------------------------------------------


@router.get("/password/{token}")
def password_form(request: Request, token: str, db: DbSession, clock: ClockDep) -> HTMLResponse:
    """Choose a password (an invitation's first, or a reset's new one)."""
    try:
        agent, purpose = people.agent_of_link(db=db, secret=token, at=clock.now())
    except AttentError:
        return render(
            request, "password_set.html", status_code=410, token=None, who=None, purpose=None, error=None
        )
    request.state.language = agent.language
    return render(
        request, "password_set.html", token=token, who=agent.name, purpose=purpose.value, error=None
    )


@router.post("/password/{token}")
def password_save(
    request: Request,
    token: str,
    db: DbSession,
    clock: ClockDep,
    password: Annotated[str, Form()],
    repeat: Annotated[str, Form()],
    csrf: Annotated[str, Form()] = "",
) -> Response:
    """Set the password once; the link then stops working, and the agent signs in with it."""
    check_csrf(request, csrf)
    try:
        agent, purpose = people.agent_of_link(db=db, secret=token, at=clock.now())
    except AttentError:
        return render(
            request, "password_set.html", status_code=410, token=None, who=None, purpose=None, error=None
        )
    request.state.language = agent.language
    if password != repeat:
        return render(
            request, "password_set.html", status_code=422, token=token, who=agent.name,
            purpose=purpose.value, error="mismatch",
        )  # fmt: skip
    try:
        people.use_link(db=db, secret=token, password=password, at=clock.now())
    except AttentError as exc:
        db.rollback()
        return render(
            request, "password_set.html", status_code=exc.status, token=token, who=agent.name,
            purpose=purpose.value, error=exc.say(agent.language),
        )  # fmt: skip
    return RedirectResponse("/signin?password=set", status_code=303)


@router.get("/forgot")
def forgot_form(request: Request) -> HTMLResponse:
    """Ask for a reset link."""
    return render(request, "forgot.html", sent=False, error=None)


@router.post("/forgot")
def forgot_send(
    request: Request,
    db: DbSession,
    clock: ClockDep,
    settings: SettingsDep,
    email: Annotated[str, Form()],
    csrf: Annotated[str, Form()] = "",
) -> HTMLResponse:
    """The same answer whether or not the address is known, so the form tells nobody who has an account;
    requests are counted per client address, so it cannot be used to flood someone's inbox."""
    check_csrf(request, csrf)
    now = clock.now()
    host = request.client.host if request.client else "unknown"
    limits = {
        throttle.key_for("reset", host): throttle.Limit(
            settings.signin_failures_per_address, timedelta(minutes=settings.signin_lock_minutes)
        )
    }
    try:
        throttle.check(db=db, limits=limits, at=now)
    except RateLimited as exc:
        return render(
            request, "forgot.html", status_code=429, sent=False, error=exc.say(page_language(request))
        )
    throttle.record_failure(db=db, limits=limits, at=now)
    people.request_password_reset(db=db, email=email, base_url=link_base(request), at=now)
    return render(request, "forgot.html", sent=True, error=None)


# --- My sign-in: sessions and two-factor -----------------------------------------------------------


def _security_page(
    request: Request, db: Session, actor: Agent, clock: Clock, status_code: int = 200, **extra: object
) -> HTMLResponse:
    enrolled = twofactor.enrolled(db=db, agent=actor)
    return render(
        request,
        "my_security.html",
        status_code=status_code,
        agent=actor,
        sessions=people.list_sessions(db=db, actor=actor, at=clock.now()),
        current=credential_of(request).token_id,
        enrolled=enrolled,
        codes_left=twofactor.recovery_codes_left(db=db, agent=actor) if enrolled else 0,
        **({} if enrolled else _enrol_context(db, actor, extra.pop("secret", None))),  # type: ignore[arg-type]
        error=extra.pop("error", None),
        **extra,
    )


@router.get("/me/security")
def security_page(request: Request, db: DbSession, actor: CurrentAgent, clock: ClockDep) -> HTMLResponse:
    """My sessions (end any of them) and my two-factor sign-in."""
    return _security_page(request, db, actor, clock, ended=request.query_params.get("ended") == "1")


@router.post("/me/sessions/{session_id}/end")
def end_session(
    request: Request, session_id: uuid.UUID, db: DbSession, actor: CurrentAgent, clock: ClockDep,
    csrf: Annotated[str, Form()] = "",
) -> Response:  # fmt: skip
    """Sign one of my sessions out."""
    check_csrf(request, csrf)
    people.end_session(db=db, actor=actor, session_id=session_id, at=clock.now())
    return RedirectResponse("/me/security?ended=1", status_code=303)


@router.post("/me/security/2fa")
def enrol_here(
    request: Request,
    db: DbSession,
    actor: CurrentAgent,
    clock: ClockDep,
    settings: SettingsDep,
    secret: Annotated[str, Form()],
    code: Annotated[str, Form()],
    csrf: Annotated[str, Form()] = "",
) -> Response:
    """Switch on two-factor sign-in; the recovery codes are shown this once."""
    check_csrf(request, csrf)
    try:
        codes = twofactor.enrol(
            db=db, agent=actor, secret=secret, code=code, at=clock.now(), secret_key=settings.secret_key
        )
    except AttentError as exc:
        db.rollback()
        return _security_page(
            request, db, actor, clock, status_code=422, secret=secret, error=exc.say(actor.language)
        )
    return render(request, "recovery_codes.html", codes=codes, next="/me/security", agent=actor)
