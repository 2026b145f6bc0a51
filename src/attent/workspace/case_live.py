"""The case page's live stream: server-sent events when the case changes, and who else has it open.

A page opens `GET /cases/{id}/live`; each change to the case (anyone's, any process) arrives as an
`event: changed`, and the page fetches its panels again. While the stream is open the agent is a
viewer of the case (a row refreshed every 15 seconds), so colleagues on the same case see each other.
"""

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from functools import partial

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from attent.agents import CurrentAgent
from attent.cases.service import get_case, leave, see
from attent.core.clock import Clock
from attent.core.db import Database
from attent.core.deps import ClockDep, DbSession, db_slots
from attent.core.live import HUB, case_key, changed

router = APIRouter(include_in_schema=False)
HEARTBEAT = timedelta(seconds=15)  # how often an open page says it is still there (cases.service.GONE_AFTER)


Ids = tuple[uuid.UUID, uuid.UUID, uuid.UUID]


def _presence(database: Database, key: str, ids: Ids, clock: Clock, *, here: bool, tell: bool) -> None:
    """Join, stay or leave, in a transaction of its own; joining and leaving tell the others."""
    organisation_id, case_id, agent_id = ids
    with database.unit_of_work() as db:
        if here:
            see(db=db, organisation_id=organisation_id, case_id=case_id, agent_id=agent_id, at=clock.now())
        else:
            leave(db=db, organisation_id=organisation_id, case_id=case_id, agent_id=agent_id)
        if tell:
            changed(db, key)


@router.get("/cases/{case_id}/live")
async def live(
    case_id: uuid.UUID, request: Request, db: DbSession, actor: CurrentAgent, clock: ClockDep
) -> StreamingResponse:
    """Server-sent events for one case: `changed` whenever anything on it changes."""
    case = await run_in_threadpool(get_case, db=db, actor=actor, case_id=case_id)
    database: Database = request.app.state.db
    key = case_key(case.organisation_id, case.id)
    ids = (case.organisation_id, case.id, actor.id)

    async def presence(*, here: bool, tell: bool) -> None:
        async with db_slots(request.app):  # like a request: wait for a connection here, not in a thread
            await run_in_threadpool(partial(_presence, database, key, ids, clock, here=here, tell=tell))

    async def stream() -> AsyncIterator[str]:
        queue = HUB.subscribe(key)
        try:
            await presence(here=True, tell=True)
            yield "retry: 3000\n\n"
            while not await request.is_disconnected():
                try:
                    await asyncio.wait_for(queue.get(), timeout=HEARTBEAT.total_seconds())
                    while not queue.empty():  # a burst of changes is one refresh
                        queue.get_nowait()
                    yield "event: changed\ndata: {}\n\n"
                except TimeoutError:
                    await presence(here=True, tell=False)
                    yield ": still here\n\n"
        finally:
            HUB.unsubscribe(key, queue)
            await presence(here=False, tell=True)

    headers = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
    return StreamingResponse(stream(), media_type="text/event-stream", headers=headers)
