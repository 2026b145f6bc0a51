"""Page forms: one refused before its route runs comes back filled in as typed; each posts only once.

FastAPI checks `Form(max_length=…)` and the other constraints before a route's code runs, so the
route cannot catch the refusal itself: a 20,001-character note became a raw JSON 422 and the text
was lost. A page route names how its page is drawn again (`@redraws(...)`); the handler below calls
that with what was typed and each reason, in a transaction of its own (the request's own one ended
with the refusal). A page route without one gets the error page in the reader's language, never JSON.

A form that makes something (a note, a promise, a gesture) carries a one-time token, so a double
click or a retried post is answered as the first one was and writes nothing twice (`submit_once`).
"""

import hashlib
import hmac
import json
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, Protocol, TypeVar

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from attent.core import idempotency
from attent.core.clock import Clock
from attent.core.deps import credential_of, db_slots
from attent.core.errors import AttentError, FieldError, Invalid, Unauthenticated

Endpoint = TypeVar("Endpoint", bound=Callable[..., Any])
PageError = Callable[[Request, AttentError], Response]


class Redraw(Protocol):
    """Draws a page form again: `form` is what was posted, `errors` why it was refused."""

    def __call__(
        self,
        request: Request,
        *,
        db: Session,
        actor: Any,
        clock: Clock,
        form: FormData,
        errors: list[FieldError],
    ) -> Response: ...


def redraws(redraw: Redraw, *, signed_in: bool = True) -> Callable[[Endpoint], Endpoint]:
    """Mark a page route: a form it refuses before running is drawn again by `redraw`.

    `signed_in=False` for forms before sign-in: `redraw` then gets `actor=None`."""

    def mark(endpoint: Endpoint) -> Endpoint:
        endpoint.redraw_form = redraw  # type: ignore[attr-defined]
        endpoint.redraw_signed_in = signed_in  # type: ignore[attr-defined]
        return endpoint

    return mark


def typed(form: FormData, *skip: str) -> dict[str, str]:
    """The posted text fields as typed (the last value of each name; never the CSRF token)."""
    return {k: v for k, v in form.multi_items() if isinstance(v, str) and k not in ("csrf", "once", *skip)}


async def refused_form(request: Request, errors: list[FieldError], page_error: PageError) -> Response:
    """The page a refused page form answers with: the form again where the route can draw it."""
    endpoint = getattr(request.scope.get("route"), "endpoint", None)
    redraw: Redraw | None = getattr(endpoint, "redraw_form", None)
    in_path = any(e.path[:1] == ("path",) for e in errors)  # no page to draw for a malformed address
    if redraw is None or in_path or request.method != "POST":
        refused = Invalid("invalid_form", "Some fields are not filled in the way they should be.", errors)
        return page_error(request, refused)
    form = await request.form()
    app = request.app
    signed_in = getattr(endpoint, "redraw_signed_in", True)

    def draw() -> Response:
        with app.state.db.unit_of_work() as db:
            clock: Clock = app.state.clock
            actor = request.app.state.callers.identify(request, db, clock.now()) if signed_in else None
            return redraw(request, db=db, actor=actor, clock=clock, form=form, errors=errors)

    async with db_slots(app):
        try:
            return await run_in_threadpool(draw)
        except Unauthenticated:
            return RedirectResponse(f"/signin?next={request.url.path}", status_code=303)
        except AttentError as exc:  # e.g. the case is not (or no longer) the agent's to see
            return page_error(request, exc)


def submit_once(
    *, request: Request, db: Session, actor: Any, token: str, values: Mapping[str, str], at: datetime
) -> tuple[idempotency.IdempotencyGuard | None, Any]:
    """Claim a form's one-time token (the hidden `once` field) for this very post.

    A second identical post of the same form (a double click, a retry) finds the first one's answer:
    returns `(None, stored)` with what the first post stored, and the caller answers as it did, writing
    nothing. Otherwise returns `(guard, None)`: `guard.remember({...}, 303)` stores the answer in the
    same transaction, so a post that fails leaves nothing behind and may simply be posted again. The
    token and the post's fields make the Idempotency-Key (core/idempotency.py, the caller's own), so
    the same page's token with different words is a new post. No token (an older page, a script): no
    guard."""
    if not token:
        return None, None
    path, secret = request.url.path, request.app.state.settings.secret_key
    body = json.dumps({"path": path, **values}, sort_keys=True).encode()
    # Keyed with the secret: the store keeps no plain hash of what was typed (a verification answer of
    # four IBAN digits hashed plainly would be no secret).
    print_ = hmac.new(secret.encode(), b"attent-form\n" + body, hashlib.sha256).hexdigest()
    try:
        guard = idempotency.begin(
            db=db,
            organisation_id=actor.organisation_id,
            agent_id=actor.id,
            credential=credential_of(request).kind,
            key=f"form:{token}:{print_[:32]}",
            print_=print_,
            at=at,
        )
    except idempotency.Replay as replay:
        return None, replay.body
    return guard, None
