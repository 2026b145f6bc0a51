"""Jinja2 with autoescaping, translations and the CSRF token; customer text is always escaped."""

import secrets
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import pass_context
from jinja2.runtime import Context

from attent.core.csrf import CSRF_COOKIE, SESSION_COOKIE, csrf_token
from attent.core.csrf import check_csrf as check_csrf  # the pages import it from here
from attent.core.i18n import case_type, gettext, pick_language, plural
from attent.core.when import say_when

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
templates = Jinja2Templates(directory=str(TEMPLATES))


def page_language(request: Request) -> str:
    """The signed-in agent's language, else the language cookie, else Dutch."""
    return pick_language(getattr(request.state, "language", None) or request.cookies.get("attent_lang"))


def local_time(value: datetime | None, tz: str = "Europe/Amsterdam", fmt: str = "%d-%m-%Y %H:%M") -> str:
    """A UTC datetime shown in the organisation's zone."""
    return value.astimezone(ZoneInfo(tz)).strftime(fmt) if value else ""


@pass_context
def when(context: Context, value: datetime | None, today_implied: bool = False) -> str:
    """A due time the one way Attent says it (`attent.core.when`), as of the page's clock, zone, language."""
    if value is None:
        return ""
    now, tz, language = context["now"], context["tz"], context["lang"]
    return say_when(value, now=now, timezone=tz, language=language, today_implied=today_implied)


def utc_iso(value: datetime) -> str:
    """The machine-readable UTC time for <time datetime> and the countdown script."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


templates.env.filters["local"] = local_time
templates.env.filters["when"] = when
templates.env.filters["utc"] = utc_iso


def render(request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """Render a page in the reader's language with a CSRF token ready for its forms."""
    language = page_language(request)
    token = csrf_token(request)
    response = templates.TemplateResponse(
        request,
        name,
        {
            "_": lambda message, **kw: gettext(language, message, **kw),
            "ngettext": lambda singular, many, n, **kw: plural(language, singular, many, n, **kw),
            "type_name": lambda value: case_type(language, value),
            "lang": language,
            "csrf": token,
            "page_url": None,  # a page drawn in answer to a form: its own address (see attent.js)
            "once": secrets.token_urlsafe(16),  # the forms' one-time token (core/pageforms.submit_once)
            **context,
        },
        status_code=status_code,
    )
    if SESSION_COOKIE not in request.cookies and request.cookies.get(CSRF_COOKIE) != token:
        settings = request.app.state.settings
        response.set_cookie(
            CSRF_COOKIE, token, httponly=True, samesite="strict", secure=settings.secure_cookies
        )
    return response
