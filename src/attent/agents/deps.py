"""Who is calling: the agent behind a bearer token or a web session, and the Idempotency-Key guards.

These are the API's and the pages' dependencies (`CurrentAgent`, `Idempotent`), re-exported by
`attent.agents`. `core/onethread.py` inlines them into a route's one thread trip by the attributes
they carry (`inline_as`, `required_role`), and reaches `request_agent` and `open_guard` through
`CALLERS`, which `app.py` hands it: the core itself knows no agent.
"""

from collections.abc import Callable
from datetime import datetime
from typing import Annotated

from fastapi import Depends, Header, Request
from sqlalchemy.orm import Session

from attent.agents.models import Agent, Role, TokenKind
from attent.agents.ratelimit import ApiLimits
from attent.agents.service import authenticate, require_role
from attent.core import idempotency
from attent.core.csrf import SESSION_COOKIE, check_api_header
from attent.core.deps import ClockDep, Credential, DbSession, credential_of, request_body
from attent.core.errors import Unauthenticated
from attent.core.onethread import Callers

API_PATH = "/api/"


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
        writing = request.method not in ("GET", "HEAD", "OPTIONS")
        agent, token_id = authenticate(db=db, secret=secret.strip(), at=now, kind=kind, writing=writing)
        limits: ApiLimits | None = getattr(request.app.state, "api_limits", None)
        if limits is not None:
            limits.hit(token_id=token_id, organisation_id=agent.organisation_id, at=now)
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


current_agent.inline_as = "actor"  # type: ignore[attr-defined]  # see core/onethread.py
CurrentAgent = Annotated[Agent, Depends(current_agent)]


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
        credential=credential_of(request).kind,
        key=key,
        print_=print_,
        at=now,
    )


idempotency_guard = idempotency_guard_for(None)
Idempotent = Annotated[idempotency.IdempotencyGuard, Depends(idempotency_guard)]
AdminIdempotent = Annotated[idempotency.IdempotencyGuard, Depends(idempotency_guard_for(Role.ADMIN))]

# What core/onethread.py and core/problems.py call to learn who is asking (handed to them by app.py).
CALLERS = Callers(identify=request_agent, open_guard=open_guard)


def link_base(request: Request) -> str:
    """Where e-mailed links point: ATTENT_PUBLIC_URL, else the address this request came in on."""
    public: str | None = request.app.state.settings.public_url
    return public or str(request.base_url)
