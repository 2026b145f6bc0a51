"""The coach in the workspace: the case page's panel and its proposal buttons, the agent's coaching card
(/coach), the leads' team view (/coach/team), and the admins' setting (/admin/coach)."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from attent.agents import CurrentAgent, Role
from attent.agents.service import teams_to_share_with
from attent.coach import cards, service
from attent.coach.engine import load_rules
from attent.coach.schemas import CoachSettings
from attent.core.deps import ClockDep, DbSession
from attent.core.templating import check_csrf, render
from attent.organisations.service import get_organisation

router = APIRouter(include_in_schema=False)
Csrf = Annotated[str, Form()]
Once = Annotated[str, Form(max_length=64)]  # the form's one-time token (core/pageforms.py)


@router.get("/coach")
def card_page(request: Request, db: DbSession, actor: CurrentAgent, clock: ClockDep) -> HTMLResponse:
    """The agent's own coaching card: one small detail, with their own words as evidence."""
    org = get_organisation(db=db, organisation_id=actor.organisation_id)
    card = cards.coaching_card(db=db, agent=actor, at=clock.now())
    # The better phrasing can be kept as a canned reply: the agent's own, or a lead's team's (as on
    # /replies: a lead shares with the teams they are in, an admin with any).
    teams = teams_to_share_with(db=db, actor=actor) if actor.role in (Role.LEAD, Role.ADMIN) else []
    return render(
        request,
        "coach/card.html",
        agent=actor,
        card=card,
        tz=org.timezone,
        teams={t.id: t.name for t in teams},
    )


@router.get("/coach/team")
def team_page(
    request: Request,
    db: DbSession,
    actor: CurrentAgent,
    clock: ClockDep,
    team_id: Annotated[uuid.UUID | None, Query()] = None,
) -> HTMLResponse:
    """Leads and admins: pick a team; each member's focus behaviour and 8 weeks of trends."""
    teams = cards.coachable_teams(db=db, actor=actor)
    chosen = team_id or (teams[0].id if teams else None)
    found = cards.team_coaching(db=db, actor=actor, team_id=chosen, at=clock.now()) if chosen else None
    return render(
        request,
        "coach/team.html",
        agent=actor,
        teams=teams,
        found=found,
        behaviours=load_rules().behaviours,
    )


@router.get("/admin/coach")
def settings_page(request: Request, db: DbSession, actor: CurrentAgent) -> HTMLResponse:
    """The coach's setting: propose heard promises to the agent, or make them at once (admins change it)."""
    current = service.coach_settings(db=db, actor=actor)
    return render(
        request,
        "coach/settings.html",
        agent=actor,
        settings=current,
        can_edit=actor.role is Role.ADMIN,
        saved=request.query_params.get("saved") == "1",
    )


@router.post("/admin/coach")
def save_settings(
    request: Request,
    db: DbSession,
    actor: CurrentAgent,
    auto_promises: Annotated[bool, Form()] = False,
    csrf: Csrf = "",
) -> Response:
    """Save the setting; a non-admin gets the error page (the form is disabled for them anyway)."""
    check_csrf(request, csrf)
    service.set_coach_settings(db=db, actor=actor, data=CoachSettings(auto_promises=auto_promises))
    return RedirectResponse("/admin/coach?saved=1", status_code=303)
