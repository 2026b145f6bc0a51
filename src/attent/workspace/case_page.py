"""The case list and the case page: the brief first, then the customer, promises, actions, timeline."""

import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session

from attent.agents import Agent, CurrentAgent
from attent.agents.service import visible_agents
from attent.briefs.service import build_brief
from attent.cases.service import FINISHED, TRANSITIONS, get_case, list_cases, viewers
from attent.coach import service as coach
from attent.contacts import Direction, Outcome
from attent.core import flash
from attent.core.clock import Clock
from attent.core.deps import ClockDep, DbSession
from attent.core.errors import NotFound
from attent.core.templating import page_language, render
from attent.customers import Customer
from attent.customers.service import read_customers
from attent.files.service import case_panel as files_panel
from attent.mailboxes import service as mailboxes
from attent.organisations.service import get_organisation
from attent.playbooks import StepStarted
from attent.playbooks.service import get_playbook
from attent.promises import PromiseKind, PromiseState
from attent.promises.service import list_promises, policy_for
from attent.recovery import service as recovery
from attent.timeline import Say, line_of
from attent.timeline.service import case_events
from attent.verification import VerificationResult
from attent.verification.service import verification_status

router = APIRouter(include_in_schema=False)


@router.get("/cases")
def cases_page(request: Request, db: DbSession, actor: CurrentAgent) -> HTMLResponse:
    """The agent's visible cases, newest first."""
    rows, _ = list_cases(db=db, actor=actor, limit=100)
    org = get_organisation(db=db, organisation_id=actor.organisation_id)
    return render(request, "cases.html", agent=actor, cases=rows, tz=org.timezone)


def case_view(
    request: Request,
    *,
    db: Session,
    actor: Agent,
    clock: Clock,
    case_id: uuid.UUID,
    status_code: int = 200,
    **extra: Any,
) -> HTMLResponse:
    """Everything the case page shows; form actions render it again with their result or error."""
    now = clock.now()
    say = Say(page_language(request))
    case = get_case(db=db, actor=actor, case_id=case_id)
    org = get_organisation(db=db, organisation_id=actor.organisation_id)
    customer = db.get(Customer, (case.organisation_id, case.customer_id))
    assert customer is not None  # the composite foreign key guarantees it
    try:
        playbook = get_playbook(db=db, actor=actor, case_type=case.type)
    except NotFound:
        playbook = None
    promises = list_promises(db=db, actor=actor, case_id=case.id, states=[PromiseState.OPEN])
    # Resolving asks what becomes of each open promise: kept, cancelled, or handed to whom.
    finishing = promises and any(s in FINISHED for s in TRANSITIONS[case.status])
    colleagues = [a for a in visible_agents(db=db, actor=actor) if a.active] if finishing else []
    return render(
        request,
        "case.html",
        status_code=status_code,
        agent=actor,
        case=case,
        customer=read_customers(db=db, customers=[customer])[0],  # verification answers masked
        brief=build_brief(db=db, actor=actor, case_id=case.id, now=now),
        events=[
            line_of(e, say)
            for e in case_events(
                db=db, organisation_id=case.organisation_id, case_id=case.id, newest_first=True
            )
        ],
        promises=promises,
        colleagues=colleagues,
        verification=verification_status(db=db, actor=actor, case_id=case.id, at=now),
        playbook=playbook,
        next_statuses=sorted(s.value for s in TRANSITIONS[case.status]),
        promise_kinds=[k.value for k in PromiseKind if k is not PromiseKind.STEP],
        outcomes=[o.value for o in Outcome],
        directions=[d.value for d in Direction],
        tell_customers=policy_for(db=db, organisation_id=case.organisation_id).tell_customer,
        viewers=viewers(db=db, actor=actor, case_id=case.id, at=now),
        recovery=recovery.case_panel(db=db, actor=actor, case=case, at=now),
        coach=coach.case_panel(db=db, actor=actor, case=case),
        email=mailboxes.conversation(db=db, case=case),
        attachments=files_panel(db, org_id=case.organisation_id, case_id=case.id),
        tz=org.timezone,
        now=now,
        page_url=f"/cases/{case.id}",
        **extra,
    )


@router.get("/cases/{case_id}")
def case_page(
    case_id: uuid.UUID, request: Request, db: DbSession, actor: CurrentAgent, clock: ClockDep
) -> HTMLResponse:
    """The handoff brief first; then the customer, open promises, what to do, and the timeline.

    After a verification or a playbook step, their answer arrives here in a flash and shows once."""
    cleared = HTMLResponse()
    handed = flash.take(request, cleared, **flash_for(request, actor, case_id, clock)) or {}
    try:
        shown: dict[str, Any] = {n: FLASHED[n].model_validate(v) for n, v in handed.items() if n in FLASHED}
    except ValidationError:  # handed over by an older version of the page: not worth a refusal
        shown = {}
    response = case_view(request, db=db, actor=actor, clock=clock, case_id=case_id, **shown)
    for cookie in cleared.headers.getlist("set-cookie"):
        response.headers.append("set-cookie", cookie)
    return response


# What a case page form may hand the page it redirects to, and how it is read back.
FLASHED: dict[str, type[BaseModel]] = {"verified": VerificationResult, "started": StepStarted}


def flash_for(request: Request, actor: Agent, case_id: uuid.UUID, clock: Clock) -> dict[str, Any]:
    """Where a case page's flash lives and who may read it: this agent, on this case's page."""
    return {
        "secret": request.app.state.settings.secret_key,
        "path": f"/cases/{case_id}",
        "reader": f"{actor.id}:{case_id}",
        "now": clock.now(),
    }
