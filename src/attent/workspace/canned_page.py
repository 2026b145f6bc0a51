"""The canned replies page: yours and your teams', a form to write one, and delete buttons.

Leads write their team's set here (share with a team); agents their own. Post/Redirect/Get; a refusal
is drawn again with the reason beside the form and the words as typed.
"""

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from attent.agents import Agent, CurrentAgent, Role
from attent.agents.service import teams_to_share_with
from attent.cases import CaseStatus
from attent.cases.service import get_case
from attent.core.clock import Clock
from attent.core.deps import ClockDep, DbSession
from attent.core.errors import AttentError, FieldError, Invalid
from attent.core.pageforms import redraws, typed
from attent.core.templating import check_csrf, page_language, render
from attent.workspace import canned

router = APIRouter(include_in_schema=False)


def _page(request: Request, db: Session, actor: Agent, status_code: int = 200, **extra: Any) -> HTMLResponse:
    teams = teams_to_share_with(db=db, actor=actor)
    return render(
        request,
        "canned.html",
        status_code=status_code,
        agent=actor,
        replies=canned.visible_replies(db=db, actor=actor),
        teams={t.id: t.name for t in teams},
        may_share=actor.role in (Role.LEAD, Role.ADMIN),
        variables=canned.VARIABLES,
        statuses=[s.value for s in CaseStatus],
        **extra,
    )


@router.get("/replies")
def canned_page(request: Request, db: DbSession, actor: CurrentAgent) -> HTMLResponse:
    """Your canned replies and your teams'."""
    return _page(request, db, actor)


def _redraw(
    request: Request, *, db: Session, actor: Any, clock: Clock, form: FormData, errors: list[FieldError]
) -> Response:
    """The form refused before its route ran (a field too long): drawn again as typed, with why."""
    language = page_language(request)
    shown = {"detail": "", "errors": [e.say(language) for e in errors], "values": typed(form)}
    return _page(request, db, actor, status_code=422, form_error=shown)


@router.post("/replies")
@redraws(_redraw)
def add_canned(
    request: Request,
    db: DbSession,
    actor: CurrentAgent,
    clock: ClockDep,
    name: Annotated[str, Form(max_length=200)] = "",
    text_nl: Annotated[str, Form(max_length=5_000)] = "",
    text_en: Annotated[str, Form(max_length=5_000)] = "",
    team_id: Annotated[str, Form()] = "",
    then_status: Annotated[str, Form()] = "",
    then_tag: Annotated[str, Form(max_length=200)] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    """Write a canned reply (for yourself, or as a lead for your team)."""
    check_csrf(request, csrf)
    try:
        team = uuid.UUID(team_id) if team_id else None
        text = canned.CannedText(name, text_nl, text_en, then_status, then_tag)
        canned.save_reply(db=db, actor=actor, text=text, team_id=team, at=clock.now())
    except (AttentError, ValueError) as exc:
        db.rollback()
        language = page_language(request)
        said = exc.say(language) if isinstance(exc, AttentError) else str(exc)
        reasons = [e.say(language) for e in exc.errors] if isinstance(exc, Invalid) else []
        values = {
            "name": name, "text_nl": text_nl, "text_en": text_en, "team_id": team_id,
            "then_status": then_status, "then_tag": then_tag,
        }  # fmt: skip
        shown = {"detail": said, "errors": reasons, "values": values}
        status = exc.status if isinstance(exc, AttentError) else 422
        return _page(request, db, actor, status_code=status, form_error=shown)
    return RedirectResponse("/replies", status_code=303)


@router.post("/replies/{reply_id}/delete")
def remove_canned(
    reply_id: uuid.UUID,
    request: Request,
    db: DbSession,
    actor: CurrentAgent,
    csrf: Annotated[str, Form()] = "",
) -> Response:
    """Delete a canned reply (yours; your team's as its lead)."""
    check_csrf(request, csrf)
    canned.delete_reply(db=db, actor=actor, reply_id=reply_id)
    return RedirectResponse("/replies", status_code=303)


SUGGESTED = 8  # canned replies in the picker's drop-down


@router.get("/cases/{case_id}/canned-suggest")
def canned_suggest(
    case_id: uuid.UUID,
    request: Request,
    db: DbSession,
    actor: CurrentAgent,
    canned_q: Annotated[str, Query(max_length=100)] = "",
) -> HTMLResponse:
    """The case page's canned-reply picker while typing (htmx): the replies whose name or words match,
    each a link that draws the case page with it in the reply box (the same GET as "Insert")."""
    case = get_case(db=db, actor=actor, case_id=case_id)  # a case the agent may not see: 404
    found = canned.visible_replies(db=db, actor=actor, q=canned_q)[:SUGGESTED] if canned_q.strip() else []
    return render(request, "canned_suggest.html", agent=actor, case=case, replies=found, q=canned_q)
