"""The one place errors become responses: RFC 9457 problem+json for the API, HTML for pages."""

import logging
import math
from contextlib import suppress
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.routing import iter_route_contexts
from sqlalchemy import inspect
from sqlalchemy.exc import IntegrityError
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.routing import Match

from attent.core.csrf import SESSION_COOKIE
from attent.core.deps import db_slots
from attent.core.errors import AttentError, FieldError, Invalid, RateLimited, Unauthenticated
from attent.core.forms import plain
from attent.core.i18n import DEFAULT, accepted_language, gettext, pick_language, plural
from attent.core.idempotency import Replay
from attent.core.pageforms import refused_form

log = logging.getLogger(__name__)
PROBLEM = "application/problem+json"
# What a browser reads when it asks for a page that is not there, or in a way it is not answered.
_PAGE_ERRORS = {
    404: ("Page not found", "There is no page at this address; it may have moved, or the link is mistyped."),
    405: ("Not possible here", "This page cannot be used this way; go back and try again from the page."),
}
_STATUS_CODES = {
    400: "bad_request",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    415: "unsupported_media_type",
}


def reader_language(request: Request) -> str:
    """The API answers in the agent's language; before an agent is known, in the Accept-Language asked."""
    known = getattr(request.state, "language", None)
    return pick_language(known or accepted_language(request.headers.get("accept-language")) or DEFAULT)


def problem(
    status: int,
    code: str,
    title: str,
    detail: str,
    errors: list[FieldError] | None = None,
    language: str = "en",
    **extra: Any,
) -> JSONResponse:
    """A problem+json response with our stable `code` and, for validation, one entry per bad field.

    `title` and the fields' messages are English templates, said here in `language` (as `detail` is)."""
    body: dict[str, Any] = {
        "type": f"/problems/{code}",
        "title": gettext(language, title),
        "status": status,
        "detail": detail,
        "code": code,
    }
    if errors:
        body["errors"] = [
            {"path": list(e.path), "pointer": _pointer(e.path), "message": e.say(language)} for e in errors
        ]
    body.update(extra)
    headers = {"Content-Language": language}
    if status == 401:
        headers["WWW-Authenticate"] = "Bearer"
    return JSONResponse(body, status_code=status, media_type=PROBLEM, headers=headers)


def _pointer(path: tuple[str | int, ...]) -> str:
    """The JSON Pointer (RFC 6901) of a field inside the request body."""
    parts = list(path[1:]) if path and path[0] == "body" else list(path)
    return "/" + "/".join(str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def _is_api(request: Request) -> bool:
    api = request.url.path.startswith(("/api/", "/hooks/"))  # webhooks are machines: problem+json
    return api or "application/json" in request.headers.get("accept", "")


def field_errors(exc: RequestValidationError) -> list[FieldError]:
    """Pydantic's errors as ours: the field's path, and a message the catalogs can say."""
    errors = []
    for err in exc.errors():
        # Tagged unions put their tag ("<batch>") into the location; a reader wants the field path.
        path = tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith("<")))
        template, params = plain(err)
        errors.append(FieldError(path, template, params))
    return errors


async def _identify(request: Request) -> None:
    """Learn the agent behind the request's credentials (for their language), if it has any that hold."""
    credentials = request.headers.get("authorization") or request.cookies.get(SESSION_COOKIE)
    if getattr(request.state, "language", None) or not credentials:
        return
    app = request.app

    def look_up() -> None:
        with app.state.db.unit_of_work() as db:
            app.state.callers.identify(request, db, app.state.clock.now())

    # No valid credentials: Accept-Language decides. Like the API's routes, on the loop when so set.
    async with db_slots(app):
        with suppress(AttentError):
            if app.state.settings.api_on_event_loop:
                look_up()
            else:
                await run_in_threadpool(look_up)


def _anonymous_api(request: Request) -> bool:
    """An API call with no credentials at all (no bearer token, no session cookie: see core.deps).

    Every /api/ operation needs them, so such a call hears 401 before anything about its input: a
    caller without credentials learns nothing about what the input should be, and the answer is the
    same for good and bad input.
    """
    has_cookie = "attent_session" in request.cookies
    return request.url.path.startswith("/api/") and "authorization" not in request.headers and not has_cookie


def _sign_in_first() -> Unauthenticated:
    return Unauthenticated("not_authenticated", "Sign in, or send 'Authorization: Bearer <token>'.")


def respond(request: Request, exc: AttentError, render_page_error: Any) -> Response:
    """An AttentError as the reader expects it: problem+json for the API, the error page for a browser."""
    if isinstance(exc, Invalid) and _anonymous_api(request):
        exc = _sign_in_first()
    if not _is_api(request):
        if isinstance(exc, Unauthenticated):
            return RedirectResponse(f"/signin?next={request.url.path}", status_code=303)
        response: Response = render_page_error(request, exc)
        return response
    errors = exc.errors if isinstance(exc, Invalid) else None
    language = reader_language(request)
    extra: dict[str, object] = exc.more(language)
    if isinstance(exc, RateLimited) and exc.retry_at is not None:
        extra["retry_at"] = exc.retry_at.isoformat().replace("+00:00", "Z")
    language = reader_language(request)
    response = problem(exc.status, exc.code, exc.title, exc.say(language), errors, language, **extra)
    if isinstance(exc, RateLimited) and exc.retry_at is not None:
        wait = (exc.retry_at - request.app.state.clock.now()).total_seconds()
        response.headers["Retry-After"] = str(max(1, math.ceil(wait)))
    return response


def allowed_methods(request: Request) -> list[str]:
    """Every method some route answers at this path (routes of one path are often several)."""
    methods: set[str] = set()
    scope = {**request.scope, "method": "\x00"}  # no route answers it: a path match reads PARTIAL
    for route in iter_route_contexts(request.app.router.routes):
        if route.methods and route.matches(scope)[0] is not Match.NONE:
            methods |= route.methods
    return sorted(methods)


def install(app: FastAPI, render_page_error: Any) -> None:
    """Register the handlers; `render_page_error(request, error)` draws errors on HTML pages."""

    @app.exception_handler(AttentError)
    async def attent_error(request: Request, exc: AttentError) -> Response:
        return respond(request, exc, render_page_error)

    @app.exception_handler(Replay)
    async def replay(_request: Request, exc: Replay) -> Response:
        return JSONResponse(exc.body, status_code=exc.status_code, headers={"Idempotent-Replayed": "true"})

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        if _anonymous_api(request):
            return respond(request, _sign_in_first(), render_page_error)
        if not _is_api(request):  # a page's form: the page again, as typed, never JSON
            return await refused_form(request, field_errors(exc), render_page_error)
        await _identify(request)  # the body was refused before the route learnt who is asking
        language = reader_language(request)
        if any(e["type"] == "json_invalid" for e in exc.errors()):
            detail = gettext(language, "The request body is not valid JSON.")
            return problem(400, "invalid_json", "Malformed JSON", detail, language=language)
        errors = field_errors(exc)
        detail = plural(
            language,
            "{n} field is not valid; see errors.",
            "{n} fields are not valid; see errors.",
            len(errors),
        )
        return problem(422, "validation_failed", "Invalid input", detail, errors, language)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        headers = dict(exc.headers or {})
        if exc.status_code == 405:  # Starlette names only the first matching route's methods
            headers["Allow"] = ", ".join(allowed_methods(request))
        if not _is_api(request) and exc.status_code in _PAGE_ERRORS:
            title, detail = _PAGE_ERRORS[exc.status_code]
            page = AttentError(_STATUS_CODES[exc.status_code], detail)
            page.status, page.title = exc.status_code, title
            response: Response = render_page_error(request, page)
            response.headers.update(headers)
            return response
        code = _STATUS_CODES.get(exc.status_code, f"http_{exc.status_code}")
        language = reader_language(request)
        detail = gettext(language, "No such endpoint." if exc.status_code == 404 else str(exc.detail))
        response = problem(exc.status_code, code, str(exc.detail), detail, language=language)
        response.headers.update(headers)
        return response

    @app.exception_handler(IntegrityError)
    async def integrity(request: Request, exc: IntegrityError) -> Response:
        # The message has no values (core.db strips the database's DETAIL); the agent is named by id.
        agent = getattr(request.state, "agent", None)
        who = inspect(agent).identity[-1] if agent is not None else None  # no load: the row is expired
        path = f"{request.method} {request.url.path}"
        log.warning("integrity error on %s (agent %s): %s", path, who, exc.orig)
        language = reader_language(request)
        detail = gettext(language, "The change clashes with data that changed at the same time; try again.")
        return problem(409, "conflict", "Conflict", detail, language=language)

    @app.exception_handler(Exception)
    async def crash(request: Request, exc: Exception) -> Response:
        # Only what escapes the middleware lands here (see middleware.Crashes, which keeps the connection).
        return crash_response(request, exc, render_page_error)


def crash_response(request: Request, exc: Exception, render_page_error: Any) -> Response:
    """Log an unhandled error with its traceback and answer 500 as the reader expects (a page or JSON)."""
    log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    error = AttentError("internal_error", "Something went wrong on our side; nothing was saved.")
    error.status, error.title = 500, "Internal error"
    if not _is_api(request):
        try:
            response: Response = render_page_error(request, error)
            return response
        except Exception:  # the page itself may be what fails; the machine answer always works
            log.exception("the error page failed too")
    language = reader_language(request)
    return problem(500, error.code, error.title, error.say(language), language=language)
