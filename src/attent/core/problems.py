"""The one place errors become responses: RFC 9457 problem+json for the API, HTML for pages."""

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.routing import iter_route_contexts
from sqlalchemy import inspect
from sqlalchemy.exc import IntegrityError
from starlette.exceptions import HTTPException
from starlette.routing import Match

from attent.core.errors import AttentError, FieldError, Invalid, RateLimited, Unauthenticated
from attent.core.idempotency import Replay

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


def problem(
    status: int, code: str, title: str, detail: str, errors: list[FieldError] | None = None, **extra: Any
) -> JSONResponse:
    """A problem+json response with our stable `code` and, for validation, one entry per bad field."""
    body: dict[str, Any] = {
        "type": f"/problems/{code}",
        "title": title,
        "status": status,
        "detail": detail,
        "code": code,
    }
    if errors:
        body["errors"] = [
            {"path": list(e.path), "pointer": _pointer(e.path), "message": e.message} for e in errors
        ]
    body.update(extra)
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(body, status_code=status, media_type=PROBLEM, headers=headers)


def _pointer(path: tuple[str | int, ...]) -> str:
    """The JSON Pointer (RFC 6901) of a field inside the request body."""
    parts = list(path[1:]) if path and path[0] == "body" else list(path)
    return "/" + "/".join(str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def _is_api(request: Request) -> bool:
    api = request.url.path.startswith(("/api/", "/hooks/"))  # webhooks are machines: problem+json
    return api or "application/json" in request.headers.get("accept", "")


def _field_errors(exc: RequestValidationError) -> list[FieldError]:
    errors = []
    for err in exc.errors():
        # Tagged unions put their tag ("<batch>") into the location; a reader wants the field path.
        path = tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith("<")))
        message = str(err["msg"]).removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            message = "Unknown field; it is not part of this request."
        errors.append(FieldError(path, message))
    return errors


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
    extra: dict[str, str] = {}
    if isinstance(exc, RateLimited) and exc.retry_at is not None:
        extra["retry_at"] = exc.retry_at.isoformat().replace("+00:00", "Z")
    return problem(exc.status, exc.code, exc.title, exc.detail, errors, **extra)


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
        if any(e["type"] == "json_invalid" for e in exc.errors()):
            return problem(400, "invalid_json", "Malformed JSON", "The request body is not valid JSON.")
        errors = _field_errors(exc)
        return problem(
            422,
            "validation_failed",
            "Invalid input",
            f"{len(errors)} field(s) are not valid; see errors.",
            errors,
        )

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
        detail = "No such endpoint." if exc.status_code == 404 else str(exc.detail)
        response = problem(exc.status_code, code, str(exc.detail), detail)
        response.headers.update(headers)
        return response

    @app.exception_handler(IntegrityError)
    async def integrity(request: Request, exc: IntegrityError) -> Response:
        # The message has no values (core.db strips the database's DETAIL); the agent is named by id.
        agent = getattr(request.state, "agent", None)
        who = inspect(agent).identity[-1] if agent is not None else None  # no load: the row is expired
        path = f"{request.method} {request.url.path}"
        log.warning("integrity error on %s (agent %s): %s", path, who, exc.orig)
        return problem(
            409,
            "conflict",
            "Conflict",
            "The change clashes with data that changed at the same time; try again.",
        )

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
    return problem(500, error.code, error.title, error.detail)
