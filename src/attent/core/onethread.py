"""A sync route and its database dependencies run in one worker thread, not one thread each.

FastAPI runs every sync dependency and the route in its own trip to the thread pool: a POST crossed
six (the session in and out, the caller, the idempotency key, the route, the response's validation).
Each trip costs 0.3 to 0.5 ms of CPU on a small VM (bench/README.md), more than most of our queries.
`OneThreadRoute` turns such a route into an async one that opens the session, finds the caller,
claims the idempotency key, runs the route and commits in a single trip: what the route does and
what it sees is unchanged, and async dependencies (clock, settings, body) still run on the loop.
"""

import inspect
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Annotated, Any, get_args, get_origin

import anyio
from fastapi import Depends, Header, Request
from fastapi.params import Depends as DependsParam
from fastapi.routing import APIRoute
from sqlalchemy.orm import Session

from attent.core.clock import Clock
from attent.core.deps import db_slots, get_db
from attent.core.idempotency import MAX_KEY_LENGTH, IdempotencyGuard

INPUTS = "_attent_request"


@dataclass(frozen=True)
class Callers:
    """How to learn who is calling, given by the domain that knows (agents: `attent.agents.deps.CALLERS`).

    `app.py` puts it in `app.state.callers`. The dependencies to inline say what they are: the caller's
    dependency carries `inline_as = "actor"`, an idempotency guard the role its route needs
    (`required_role`, None for any caller).
    """

    identify: Callable[[Request, Session, datetime], Any]
    open_guard: Callable[[Request, Session, Any, datetime, bytes, str | None, Any], IdempotencyGuard]


@dataclass(frozen=True)
class RequestInputs:
    """What the thread needs from the loop: the request, the time and, for a POST, its body and key."""

    request: Request
    clock: Clock
    body: bytes | None
    key: str | None


async def _inputs(request: Request) -> AsyncIterator[RequestInputs]:
    """Hold a database slot for the request, as `get_db` does (see `db_slots`)."""
    async with db_slots(request.app):
        yield RequestInputs(request=request, clock=request.app.state.clock, body=None, key=None)


async def _inputs_with_body(
    request: Request,
    key: Annotated[
        str | None, Header(alias="Idempotency-Key", min_length=1, max_length=MAX_KEY_LENGTH)
    ] = None,
) -> AsyncIterator[RequestInputs]:
    """As `_inputs`, with what the idempotency guard fingerprints (the body Starlette already read)."""
    body = await request.body()
    async with db_slots(request.app):
        yield RequestInputs(request=request, clock=request.app.state.clock, body=body, key=key)


def _inline_role(annotation: Any) -> str | None:
    """Which inlined dependency a parameter asks for (`db`, `actor`, `idem`), if any."""
    if get_origin(annotation) is not Annotated:
        return None
    for extra in get_args(annotation)[1:]:
        if isinstance(extra, DependsParam) and extra.dependency is not None:
            if hasattr(extra.dependency, "required_role"):
                return "idem"
            if extra.dependency is get_db:
                return "db"
            inline_as: str | None = getattr(extra.dependency, "inline_as", None)
            return inline_as
    return None


def _guard_role(annotation: Any) -> Any:
    """The role an inlined idempotency guard checks before it replays anything (None: any caller)."""
    for extra in get_args(annotation)[1:]:
        if isinstance(extra, DependsParam):
            return getattr(extra.dependency, "required_role", None)
    return None


def _refuse_other_sync_dependencies(name: str, annotation: Any, route: str) -> None:
    """Another sync dependency would take its own thread trip and, worse, could open a second session."""
    if get_origin(annotation) is not Annotated:
        return
    for extra in get_args(annotation)[1:]:
        call = extra.dependency if isinstance(extra, DependsParam) else None
        if call is not None and not (inspect.iscoroutinefunction(call) or inspect.isasyncgenfunction(call)):
            raise TypeError(f"{route}: parameter {name!r} has a sync dependency that cannot be inlined")


def _run(
    endpoint: Callable[..., Any],
    roles: dict[str, str],
    guard_role: Any,
    inputs: RequestInputs,
    values: dict[str, Any],
) -> Any:
    """The thread's work: session, caller, key, route and commit; a rollback when anything raises."""
    request = inputs.request
    callers: Callers = request.app.state.callers
    with request.app.state.db.unit_of_work() as db:
        now = inputs.clock.now()
        wanted = "actor" in roles.values() or "idem" in roles.values()
        actor = callers.identify(request, db, now) if wanted else None
        for name, role in roles.items():
            if role == "db":
                values[name] = db
            elif role == "actor":
                values[name] = actor
            elif actor is not None:
                body = inputs.body or b""
                values[name] = callers.open_guard(request, db, actor, now, body, inputs.key, guard_role)
        return endpoint(**values)


def one_thread(endpoint: Callable[..., Any]) -> Callable[..., Any]:
    """The async route FastAPI sees for a sync `endpoint` that takes the database dependencies."""
    if inspect.iscoroutinefunction(endpoint):
        return endpoint
    signature = inspect.signature(endpoint, eval_str=True)
    roles = {name: role for name, p in signature.parameters.items() if (role := _inline_role(p.annotation))}
    guards = [signature.parameters[name].annotation for name, role in roles.items() if role == "idem"]
    guard_role = _guard_role(guards[0]) if guards else None
    if "db" not in roles.values():
        return endpoint
    for name, parameter in signature.parameters.items():
        if name not in roles:
            _refuse_other_sync_dependencies(name, parameter.annotation, endpoint.__qualname__)
    provider = _inputs_with_body if "idem" in roles.values() else _inputs
    kept = [p for name, p in signature.parameters.items() if name not in roles]
    inputs = inspect.Parameter(
        INPUTS,
        inspect.Parameter.KEYWORD_ONLY,
        annotation=Annotated[RequestInputs, Depends(provider, scope="function")],
    )
    kept = [p.replace(kind=inspect.Parameter.KEYWORD_ONLY) for p in kept]

    async def route(**values: Any) -> Any:
        request_inputs: RequestInputs = values.pop(INPUTS)
        work = partial(_run, endpoint, roles, guard_role, request_inputs, values)
        if request_inputs.request.app.state.settings.api_on_event_loop:
            return work()
        return await anyio.to_thread.run_sync(work)

    route.__signature__ = signature.replace(parameters=[*kept, inputs])  # type: ignore[attr-defined]
    for attribute in ("__name__", "__qualname__", "__doc__", "__module__"):
        setattr(route, attribute, getattr(endpoint, attribute))
    return route


class OneThreadRoute(APIRoute):
    """An API route whose sync endpoint, session, caller and idempotency key share one thread trip."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        super().__init__(path, one_thread(endpoint), **kwargs)
