"""The request's collaborators as FastAPI dependencies: database session, clock, settings, body.

Who is calling is the agents domain's to say (`attent.agents.deps`); the core knows no domain.
"""

import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Annotated, Any

import anyio
from fastapi import Depends, Request
from sqlalchemy.orm import Session

from attent.core.clock import Clock
from attent.core.settings import Settings


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


async def request_body(request: Request) -> bytes:
    """The raw body, read once and cached by Starlette for the route's own parsing."""
    return await request.body()


@dataclass(frozen=True)
class Credential:
    """What the caller signed in with: the kind of token (an API token, a web session) and which one."""

    kind: str
    token_id: uuid.UUID


def credential_of(request: Request) -> Credential:
    """The credential the caller was identified by (`app.state.callers.identify` always runs first)."""
    credential: Credential = request.state.credential
    return credential
