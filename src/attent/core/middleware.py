"""ASGI middleware: body-size limit (before anything parses), security headers, and unhandled errors."""

import re
from collections.abc import Callable

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from attent.core.errors import TooLarge

SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
    (
        b"content-security-policy",
        b"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        b"object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
    ),
]


class BodyLimit:
    """Refuse bodies over `max_bytes` with 413 before the app sees a byte, whatever Content-Length claims.

    `respond(request, error)` answers as the reader expects: problem+json for the API, the error page,
    in the reader's language, for a browser's form.
    """

    def __init__(
        self,
        app: ASGIApp,
        max_bytes: int,
        respond: Callable[[Request, TooLarge], Response],
        uploads: re.Pattern[str] | None = None,
        upload_max_bytes: int = 0,
    ) -> None:
        self.app, self.max_bytes, self.respond = app, max_bytes, respond
        # Paths that take files (a reply with attachments) may carry up to `upload_max_bytes`; the route
        # then holds each file to its own limits and names them.
        self.uploads, self.upload_max_bytes = uploads, upload_max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS", "DELETE"):
            await self.app(scope, receive, send)
            return
        limit = self.max_bytes
        if self.uploads is not None and self.uploads.fullmatch(scope["path"]):
            limit = max(limit, self.upload_max_bytes)
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            await self._refuse(scope, receive, send, limit)
            return
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                await self._refuse(scope, receive, send, limit)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if sent:
                return await receive()
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        error = TooLarge(
            "body_too_large",
            "The request body is larger than the limit of {limit} bytes.",
            limit=limit,
        )
        await self.respond(Request(scope), error)(scope, receive, send)


# Pages and API answers hold personal data: no browser or proxy may keep them (Back after sign-out).
NO_STORE = (b"cache-control", b"no-store")
CACHEABLE = ("/static/", "/favicon.ico")  # assets are the same for everyone and keep their caching


class SecurityHeaders:
    """Headers every response carries: no sniffing, no framing, no inline script, no storing (but assets)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        extra = SECURITY_HEADERS if scope["path"].startswith(CACHEABLE) else [*SECURITY_HEADERS, NO_STORE]

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {k.lower() for k, _ in message.get("headers", [])}
                missing = [h for h in extra if h[0] not in present]
                message["headers"] = list(message.get("headers", [])) + missing
            await send(message)

        await self.app(scope, receive, with_headers)


class Crashes:
    """An unhandled error becomes its 500 answer here, and goes no further, so the connection stays open.

    Starlette's outermost ServerErrorMiddleware sends the 500 and then re-raises the error for the
    server to log, and uvicorn closes a connection whose app raised: the client's next request on
    it failed. This middleware sits inside it and finishes the request as any other. Once a
    response has started (a stream that breaks halfway), there is no answer left to give: then the
    error goes on and the server closes the connection, as it must.
    """

    def __init__(self, app: ASGIApp, respond: Callable[[Request, Exception], Response]) -> None:
        self.app, self.respond = app, respond

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watch(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, watch)
        except Exception as exc:
            if started:
                raise
            await self.respond(Request(scope), exc)(scope, receive, send)
