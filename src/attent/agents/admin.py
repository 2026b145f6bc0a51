"""The admin page for teams: which team a case without a team goes to (read-only for agents and leads)."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from attent.agents.deps import CurrentAgent
from attent.agents.models import Agent, Role
from attent.agents.service import create_team, default_team_id, list_teams, members_by_team, set_default_team
from attent.core.deps import ClockDep, DbSession
from attent.core.errors import AttentError, FieldError, Invalid
from attent.core.templating import check_csrf, render

router = APIRouter(include_in_schema=False)


@router.get("/admin/teams")
def teams_page(request: Request, db: DbSession, actor: CurrentAgent) -> HTMLResponse:
    """Every team with its members; admins choose the default team."""
    return _page(request, db, actor, saved=request.query_params.get("saved") == "1")


@router.post("/admin/teams")
def save_default_team(
    request: Request,
    db: DbSession,
    actor: CurrentAgent,
    default_team: Annotated[uuid.UUID, Form()],
    csrf: Annotated[str, Form()] = "",
) -> Response:
    """Set the default team; a refusal (not an admin, not a team) shows the page with the reason."""
    check_csrf(request, csrf)
    try:
        set_default_team(db=db, actor=actor, team_id=default_team)
    except AttentError as exc:
        db.rollback()
        return _page(request, db, actor, status_code=exc.status, error=exc.say(actor.language))
    return RedirectResponse("/admin/teams?saved=1", status_code=303)


@router.post("/admin/teams/new")
def new_team(
    request: Request,
    db: DbSession,
    actor: CurrentAgent,
    clock: ClockDep,
    name: Annotated[str, Form()] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    """Add a team (admins); the first team becomes the default team."""
    check_csrf(request, csrf)
    try:
        if not name.strip() or len(name.strip()) > 120:
            raise Invalid(
                "team_name_missing", "Give the team a name of at most 120 characters.",
                [FieldError(("name",), "Fill this in.")],
            )  # fmt: skip
        create_team(db=db, actor=actor, name=name.strip(), at=clock.now())
    except AttentError as exc:
        db.rollback()
        return _page(request, db, actor, status_code=exc.status, error=exc.say(actor.language))
    return RedirectResponse("/admin/teams?saved=1", status_code=303)


def _page(
    request: Request,
    db: DbSession,
    actor: Agent,
    status_code: int = 200,
    saved: bool = False,
    error: str | None = None,
) -> HTMLResponse:
    members = members_by_team(db=db, organisation_id=actor.organisation_id)
    return render(
        request,
        "admin_teams.html",
        status_code=status_code,
        agent=actor,
        teams=list_teams(db=db, actor=actor),
        members={team: len(ids) for team, ids in members.items()},
        default=default_team_id(db=db, organisation_id=actor.organisation_id),
        can_edit=actor.role is Role.ADMIN,
        saved=saved and error is None,
        error=error,
    )
