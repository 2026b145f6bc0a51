"""The case list and the case page: the brief first, then the customer, promises, actions, timeline."""

import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session

from attent.agents import Agent, CurrentAgent
from attent.agents.service import list_teams, visible_agents
from attent.briefs.service import build_brief
from attent.cases import Case, CaseStatus, Priority
from attent.cases.service import FINISHED, TRANSITIONS, get_case, list_cases, list_tags, tags_of, viewers
from attent.coach import service as coach
from attent.contacts import Direction, Outcome
from attent.core import access, flash
from attent.core.clock import Clock
from attent.core.deps import ClockDep, DbSession
from attent.core.errors import NotFound
from attent.core.i18n import named_in_catalog
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
from attent.workspace import canned

router = APIRouter(include_in_schema=False)


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
    if request.method == "GET":  # a form's answer shows the page again: that is no new opening
        access.seen(
            request, organisation_id=actor.organisation_id, agent_id=actor.id, subject=access.Subject.CASE,
            subject_id=case.id, customer_id=customer.id, case_id=case.id, at=now,
        )  # fmt: skip
    try:
        playbook = get_playbook(db=db, actor=actor, case_type=case.type)
    except NotFound:
        playbook = None
    promises = list_promises(db=db, actor=actor, case_id=case.id, states=[PromiseState.OPEN])
    # Resolving asks what becomes of each open promise: kept, cancelled, or handed to whom.
    finishing = promises and any(s in FINISHED for s in TRANSITIONS[case.status])
    colleagues = [a for a in visible_agents(db=db, actor=actor) if a.active] if finishing else []
    canned_q = str(extra.pop("canned_q", ""))  # the canned-reply picker narrowed ("Find" without JavaScript)
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
        tags=tags_of(db=db, organisation_id=case.organisation_id, case_ids=[case.id]).get(case.id, []),
        known_tags=[t.name for t, _ in list_tags(db=db, actor=actor)],
        case_types=sorted({*named_in_catalog("case_type"), case.type}),
        priorities=[p.value for p in Priority],
        teams=list_teams(db=db, actor=actor),
        agents=_owners(db, actor, case),
        canned_replies=canned.visible_replies(db=db, actor=actor, q=canned_q),
        canned_q=canned_q,
        merge_targets=[
            c
            for c in list_cases(db=db, actor=actor, customer_id=case.customer_id, limit=50)[0]
            if c.id != case.id and c.status is not CaseStatus.CLOSED and c.merged_into_id is None
        ],
        recovery=recovery.case_panel(db=db, actor=actor, case=case, at=now),
        coach=coach.case_panel(db=db, actor=actor, case=case),
        email=mailboxes.conversation(db=db, case=case),
        attachments=files_panel(db, org_id=case.organisation_id, case_id=case.id),
        tz=org.timezone,
        now=now,
        page_url=f"/cases/{case.id}",
        **extra,
    )


def _owners(db: Session, actor: Agent, case: Case) -> list[Agent]:
    """Who the details form offers as owner: active colleagues, and the owner now (so saving keeps them)."""
    agents = [a for a in visible_agents(db=db, actor=actor) if a.active]
    if case.owner_id is not None and all(a.id != case.owner_id for a in agents):
        owner = db.get(Agent, (case.organisation_id, case.owner_id))
        agents += [owner] if owner is not None else []
    return agents


@router.get("/cases/{case_id}")
def case_page(
    case_id: uuid.UUID, request: Request, db: DbSession, actor: CurrentAgent, clock: ClockDep
) -> Response:
    """The handoff brief first; then the customer, open promises, what to do, and the timeline.

    After a verification or a playbook step, their answer arrives here in a flash and shows once."""
    pointer = get_case(db=db, actor=actor, case_id=case_id).merged_into_id
    if pointer is not None:  # merged: a link to it lands on the case it was merged into
        return RedirectResponse(f"/cases/{pointer}", status_code=303)
    cleared = HTMLResponse()
    handed = flash.take(request, cleared, **flash_for(request, actor, case_id, clock)) or {}
    try:
        shown: dict[str, Any] = {n: FLASHED[n].model_validate(v) for n, v in handed.items() if n in FLASHED}
    except ValidationError:  # handed over by an older version of the page: not worth a refusal
        shown = {}
    chosen = request.query_params.get("canned", "")
    if request.query_params.get("find"):  # "Find" without JavaScript: the picker narrowed to what matches
        shown["canned_q"], chosen = request.query_params.get("canned_q", "")[:100], ""
    if chosen:  # "Insert" on the reply form (a GET form: no JavaScript needed): the reply box filled in
        shown["canned_text"], shown["canned_then"] = _canned_text(request, db, actor, clock, case_id, chosen)
    response = case_view(request, db=db, actor=actor, clock=clock, case_id=case_id, **shown)
    for cookie in cleared.headers.getlist("set-cookie"):
        response.headers.append("set-cookie", cookie)
    return response


def _canned_text(
    request: Request, db: Session, actor: Agent, clock: Clock, case_id: uuid.UUID, chosen: str
) -> tuple[str, tuple[str, str] | None]:
    """The chosen canned reply filled in for the case, and the status and tag sending it also sets;
    one that is not the agent's to use: nothing."""
    try:
        reply = canned.get_reply(db=db, actor=actor, reply_id=uuid.UUID(chosen))
    except (ValueError, NotFound):
        return "", None
    case = get_case(db=db, actor=actor, case_id=case_id)
    tz = get_organisation(db=db, organisation_id=actor.organisation_id).timezone
    text = canned.fill(db=db, actor=actor, reply=reply, case=case, now=clock.now(), timezone=tz)
    return text, (reply.then_status or "", reply.then_tag or "")


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
