"""The incoming-call panel: when a call rings for an agent, every page they have open shows the caller's
brief (who, the open case, what was promised, what was done) before they pick up.

Every workspace page carries `<aside data-calls>`; it opens `GET /me/calls/live`, a server-sent event
stream that says `changed` whenever a call of this agent changes (the phone line marks the agent's
key in the transaction that took the event: a `pg_notify` on PostgreSQL, the hub on SQLite), and the
page fetches `GET /me/calls/panel`, the panel's HTML.
"""

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, StreamingResponse

from attent.agents import CurrentAgent
from attent.briefs.service import build_brief
from attent.core.deps import ClockDep, DbSession
from attent.core.errors import NotFound
from attent.core.live import HUB
from attent.core.templating import render
from attent.customers import Customer
from attent.organisations.service import get_organisation
from attent.phone.service import agent_key, live_calls

router = APIRouter(include_in_schema=False)
HEARTBEAT = timedelta(seconds=15)


@router.get("/me/calls/panel")
def calls_panel(request: Request, db: DbSession, actor: CurrentAgent, clock: ClockDep) -> HTMLResponse:
    """The calls ringing for the agent or in their hands, each with the caller's brief."""
    now = clock.now()
    shown = []
    for call in live_calls(db=db, agent=actor):
        customer = db.get(Customer, (actor.organisation_id, call.customer_id)) if call.customer_id else None
        brief = None
        if call.case_id is not None:
            try:
                brief = build_brief(db=db, actor=actor, case_id=call.case_id, now=now)
            except NotFound:  # a case of a team the agent is not in: they still see who calls
                brief = None
        shown.append({"call": call, "customer": customer, "brief": brief})
    org = get_organisation(db=db, organisation_id=actor.organisation_id)
    return render(request, "calls_panel.html", agent=actor, calls=shown, now=now, tz=org.timezone)


@router.get("/me/calls/live")
async def calls_live(request: Request, actor: CurrentAgent) -> StreamingResponse:
    """Server-sent events: `changed` whenever a call rings for, or changes for, this agent."""
    key = agent_key(actor.organisation_id, actor.id)

    async def stream() -> AsyncIterator[str]:
        queue = HUB.subscribe(key)
        try:
            yield "retry: 3000\n\n"
            while not await request.is_disconnected():
                try:
                    await asyncio.wait_for(queue.get(), timeout=HEARTBEAT.total_seconds())
                    while not queue.empty():
                        queue.get_nowait()
                    yield "event: changed\ndata: {}\n\n"
                except TimeoutError:
                    yield ": still here\n\n"
        finally:
            HUB.unsubscribe(key, queue)

    headers = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
    return StreamingResponse(stream(), media_type="text/event-stream", headers=headers)
