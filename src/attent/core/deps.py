"""The request's collaborators as FastAPI dependencies: database session, clock, current agent."""

import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

import anyio
from fastapi import Depends, Header, Request
from sqlalchemy.orm import Session

from attent.agents.models import Agent, Role, TokenKind
from attent.agents.service import authenticate, require_role
from attent.core import idempotency
from attent.core.clock import Clock
from attent.core.csrf import SESSION_COOKIE, check_api_header
from attent.core.errors import Unauthenticated
from attent.core.settings import Settings

API_PATH = "/api/"


def db_slots(app: Any) -> anyio.CapacityLimiter:
    """One slot per pooled connection, shared by every request of this process.

    A request waits for its slot on the event loop, never in a worker thread: were threads to block
    on an empty connection pool while the requests holding its connections wait for a free thread to
    finish, the server would hang (it did, at 100 concurrent requests).
    """
    slots: anyio.CapacityLimiter | None = getattr(app.state, "db_slots", None)
    if slots is None:
        slots = app.state.db_slots = anyio.CapacityLimiter(app.state.db.max_connections)
    return slots


async def db_slot(request: Request) -> AsyncIterator[None]:
    """Hold one of the process's database slots for the request's transaction."""
    async with db_slots(request.app):
        yield


def get_db(request: Request, _slot: Annotated[None, Depends(db_slot, scope="function")]) -> Iterator[Session]:
    """The request's session; the request is the one transaction owner and commits before responding."""
    with request.app.state.db.unit_of_work() as session:
        yield session


async def get_clock(request: Request) -> Clock:
    """The app's clock (a FrozenClock in tests); async because a sync dependency costs a thread hop."""
    clock: Clock = request.app.state.clock
    return clock


async def get_settings(request: Request) -> Settings:
    """The app's settings (async: no thread hop for a dictionary lookup)."""
    settings: Settings = request.app.state.settings
    return settings


DbSession = Annotated[Session, Depends(get_db, scope="function")]
ClockDep = Annotated[Clock, Depends(get_clock)]
SettingsDep = Annotated[Settings, Depends(get_settings)]


@dataclass(frozen=True)
class Credential:
    """What the caller signed in with: an API token or a web session, and which one."""

    kind: TokenKind
    token_id: uuid.UUID


def credential_of(request: Request) -> Credential:
    """The credential `request_agent` found for this request (it always runs first)."""
    credential: Credential = request.state.credential
    return credential


def current_agent(request: Request, db: DbSession, clock: ClockDep) -> Agent:
    """The agent behind `Authorization: Bearer …`, or behind the session cookie for pages."""
    return request_agent(request, db, clock.now())


def request_agent(request: Request, db: Session, now: datetime) -> Agent:
    """`current_agent`'s work, for callers that already hold the session (see `core/onethread.py`)."""
    header = request.headers.get("authorization")
    if header:
        scheme, _, secret = header.partition(" ")
        if scheme.lower() != "bearer" or not secret.strip():
            raise Unauthenticated("invalid_authorization", "Use 'Authorization: Bearer <token>'.")
        kind = TokenKind.API
        agent, token_id = authenticate(db=db, secret=secret.strip(), at=now, kind=kind)
    elif cookie := request.cookies.get(SESSION_COOKIE):
        kind = TokenKind.SESSION
        agent, token_id = authenticate(db=db, secret=cookie, at=now, kind=kind)
        if request.url.path.startswith(API_PATH):
            check_api_header(request, cookie)  # pages check their forms' token themselves
    else:
        raise Unauthenticated("not_authenticated", "Sign in, or send 'Authorization: Bearer <token>'.")
    request.state.agent = agent
    request.state.credential = Credential(kind=kind, token_id=token_id)
    # A plain copy: an error page renders after the rollback, when the agent's attributes are expired.
    request.state.language = agent.language
    return agent


CurrentAgent = Annotated[Agent, Depends(current_agent)]


async def request_body(request: Request) -> bytes:
    """The raw body, read once and cached by Starlette for the route's own parsing."""
    return await request.body()


def idempotency_guard_for(role: Role | None) -> Callable[..., idempotency.IdempotencyGuard]:
    """The Idempotency-Key guard of a route that needs `role` (None: any agent of the organisation).

    The role is checked before the key is looked at, so a stored response is only ever replayed to a
    caller the route would let in now; `core/onethread.py` reads `required_role` to do the same.
    """

    def guard(
        request: Request,
        db: DbSession,
        actor: CurrentAgent,
        clock: ClockDep,
        body: Annotated[bytes, Depends(request_body)],
        key: Annotated[
            str | None, Header(alias="Idempotency-Key", min_length=1, max_length=idempotency.MAX_KEY_LENGTH)
        ] = None,
    ) -> idempotency.IdempotencyGuard:
        """Claim the caller's Idempotency-Key for this POST, or replay the caller's first response."""
        return open_guard(request, db, actor, clock.now(), body, key, role)

    guard.required_role = role  # type: ignore[attr-defined]
    guard.__name__ = guard.__qualname__ = f"idempotency_guard_{role.value if role else 'any'}"
    return guard


def open_guard(
    request: Request,
    db: Session,
    actor: Agent,
    now: datetime,
    body: bytes,
    key: str | None,
    role: Role | None = None,
) -> idempotency.IdempotencyGuard:
    """The guard's work, for callers that already hold the session: authorise, then claim or replay."""
    if role is not None:
        require_role(actor, role)
    print_ = idempotency.fingerprint(request.method, request.url.path, body)
    return idempotency.begin(
        db=db,
        organisation_id=actor.organisation_id,
        agent_id=actor.id,
        credential=credential_of(request).kind.value,
        key=key,
        print_=print_,
        at=now,
    )


idempotency_guard = idempotency_guard_for(None)
Idempotent = Annotated[idempotency.IdempotencyGuard, Depends(idempotency_guard)]
AdminIdempotent = Annotated[idempotency.IdempotencyGuard, Depends(idempotency_guard_for(Role.ADMIN))]
