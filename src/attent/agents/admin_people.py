"""The admin pages for people and API tokens: invite, roles, teams, deactivate, reactivate, unlock,
two-factor policy; tokens made (shown once), scoped, expiring, revoked.

Every change goes through the same services as the API (`people`, `twofactor`, `tokens`); a refusal
draws the page again with the reason in the reader's language, the form as typed.
"""

import uuid
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from attent.agents import people, throttle, tokens, twofactor
from attent.agents.deps import CurrentAgent, link_base
from attent.agents.models import Agent, Role, TokenScope
from attent.agents.schemas import AgentInvite, AgentUpdate
from attent.agents.service import (
    get_agent,
    list_teams,
    require_role,
    revoke_token,
    teams_of_agents,
    update_agent,
    visible_agents,
)
from attent.core.clock import Clock
from attent.core.deps import ClockDep, DbSession, SettingsDep
from attent.core.errors import AttentError
from attent.core.i18n import gettext, label
from attent.core.settings import Settings
from attent.core.templating import check_csrf, render

router = APIRouter(include_in_schema=False)


def _people_page(
    request: Request,
    db: Session,
    actor: Agent,
    clock: Clock,
    settings: Settings,
    status_code: int = 200,
    **extra: object,
) -> HTMLResponse:
    require_role(actor)
    agents = visible_agents(db=db, actor=actor)
    teams = list_teams(db=db, actor=actor)
    limit = throttle.Limit(settings.signin_failures_per_email, _window(settings))
    now = clock.now()
    return render(
        request,
        "admin_people.html",
        status_code=status_code,
        agent=actor,
        people=agents,
        teams=teams,
        team_names={t.id: t.name for t in teams},
        memberships=teams_of_agents(
            db=db, organisation_id=actor.organisation_id, agent_ids=[a.id for a in agents]
        ),
        locked={a.id for a in agents if people.is_locked(db=db, agent=a, limit=limit, at=now)},
        policy=twofactor.policy(db=db, organisation_id=actor.organisation_id),
        roles=list(Role),
        role_names={r: label(actor.language, r.value, "role") for r in Role},
        form=extra.pop("form", {}),
        error=extra.pop("error", None),
        done=request.query_params.get("done"),
        **extra,
    )


def _window(settings: Settings) -> timedelta:
    return timedelta(minutes=settings.signin_lock_minutes)


@router.get("/admin/people")
def people_page(
    request: Request, db: DbSession, actor: CurrentAgent, clock: ClockDep, settings: SettingsDep
) -> HTMLResponse:
    """Everyone in the organisation, the invitation form and the sign-in policy."""
    return _people_page(request, db, actor, clock, settings)


@router.post("/admin/people/invite")
async def invite(
    request: Request, db: DbSession, actor: CurrentAgent, clock: ClockDep, settings: SettingsDep
) -> Response:
    """Invite an agent by e-mail; they choose their password through the link."""
    form = await request.form()
    check_csrf(request, str(form.get("csrf", "")))
    values = {k: str(form.get(k, "")) for k in ("email", "name", "role", "language")}
    team_ids = [str(t) for t in form.getlist("team_ids")]
    try:
        data = AgentInvite.model_validate({**{k: v for k, v in values.items() if v}, "team_ids": team_ids})
    except ValidationError as exc:
        fields = sorted({str(e["loc"][0]) for e in exc.errors() if e["loc"]})
        return _people_page(request, db, actor, clock, settings, status_code=422, form=values, bad=fields)
    try:
        people.invite_agent(db=db, actor=actor, data=data, base_url=link_base(request), at=clock.now())
    except AttentError as exc:
        db.rollback()
        return _people_page(
            request,
            db,
            actor,
            clock,
            settings,
            status_code=exc.status,
            form=values,
            error=exc.say(actor.language),
        )
    return RedirectResponse("/admin/people?done=invited", status_code=303)


@router.post("/admin/people/policy")
def save_policy(
    request: Request,
    db: DbSession,
    actor: CurrentAgent,
    clock: ClockDep,
    settings: SettingsDep,
    remember_days: Annotated[int, Form()] = 0,
    required: Annotated[bool, Form()] = False,
    csrf: Annotated[str, Form()] = "",
) -> Response:
    """Require two-factor sign-in, and how many days a browser is remembered."""
    check_csrf(request, csrf)
    twofactor.set_policy(db=db, actor=actor, required=required, remember_days=remember_days)
    return RedirectResponse("/admin/people?done=policy", status_code=303)


def _person_page(
    request: Request, db: Session, actor: Agent, agent_id: uuid.UUID, status_code: int = 200, **extra: object
) -> HTMLResponse:
    require_role(actor)
    person = get_agent(db=db, actor=actor, agent_id=agent_id)
    teams = list_teams(db=db, actor=actor)
    mine = teams_of_agents(db=db, organisation_id=actor.organisation_id, agent_ids=[person.id])
    return render(
        request,
        "admin_person.html",
        status_code=status_code,
        agent=actor,
        person=person,
        teams=teams,
        member_of=set(mine.get(person.id, [])),
        roles=list(Role),
        role_names={r: label(actor.language, r.value, "role") for r in Role},
        enrolled=twofactor.enrolled(db=db, agent=person),
        error=extra.pop("error", None),
        done=request.query_params.get("done"),
    )


@router.get("/admin/people/{agent_id}")
def person_page(request: Request, agent_id: uuid.UUID, db: DbSession, actor: CurrentAgent) -> HTMLResponse:
    """One agent: role, teams, and what an admin can do for or about them."""
    return _person_page(request, db, actor, agent_id)


@router.post("/admin/people/{agent_id}")
async def save_person(
    request: Request, agent_id: uuid.UUID, db: DbSession, actor: CurrentAgent, clock: ClockDep
) -> Response:
    """Save role and teams."""
    form = await request.form()
    check_csrf(request, str(form.get("csrf", "")))
    try:
        role = Role(str(form.get("role", "")))
        teams = [uuid.UUID(str(t)) for t in form.getlist("team_ids")]
        update_agent(
            db=db, actor=actor, agent_id=agent_id, data=AgentUpdate(role=role, team_ids=teams), at=clock.now()
        )
    except (ValueError, AttentError) as exc:
        db.rollback()
        reason = exc.say(actor.language) if isinstance(exc, AttentError) else str(exc)
        return _person_page(request, db, actor, agent_id, status_code=422, error=reason)
    return RedirectResponse(f"/admin/people/{agent_id}?done=saved", status_code=303)


@router.post("/admin/people/{agent_id}/{action}")
def person_action(
    request: Request,
    agent_id: uuid.UUID,
    action: str,
    db: DbSession,
    actor: CurrentAgent,
    clock: ClockDep,
    csrf: Annotated[str, Form()] = "",
) -> Response:
    """Deactivate, reactivate, unlock, reset two-factor sign-in, or send the invitation again."""
    check_csrf(request, csrf)
    now = clock.now()
    actions = {
        "deactivate": lambda: people.deactivate_agent(db=db, actor=actor, agent_id=agent_id, at=now),
        "reactivate": lambda: people.reactivate_agent(db=db, actor=actor, agent_id=agent_id),
        "unlock": lambda: people.unlock_agent(db=db, actor=actor, agent_id=agent_id),
        "reset-2fa": lambda: twofactor.reset(db=db, actor=actor, agent_id=agent_id),
        "invite": lambda: people.resend_invitation(
            db=db, actor=actor, agent_id=agent_id, base_url=link_base(request), at=now
        ),
    }
    if action not in actions:
        return render(request, "error.html", status_code=404, title="404", detail="", errors=[], agent=actor)
    try:
        actions[action]()
    except AttentError as exc:
        db.rollback()
        return _person_page(
            request, db, actor, agent_id, status_code=exc.status, error=exc.say(actor.language)
        )
    return RedirectResponse(f"/admin/people/{agent_id}?done={action}", status_code=303)


# --- API tokens ------------------------------------------------------------------------------------


def _tokens_page(
    request: Request, db: Session, actor: Agent, clock: Clock, status_code: int = 200, **extra: object
) -> HTMLResponse:
    return render(
        request,
        "admin_tokens.html",
        status_code=status_code,
        agent=actor,
        tokens=tokens.all_tokens(db=db, actor=actor),
        people=[a for a in visible_agents(db=db, actor=actor) if a.active],
        now=clock.now(),
        error=extra.pop("error", None),
        created=extra.pop("created", None),
        form=extra.pop("form", {}),
        done=request.query_params.get("done"),
    )


@router.get("/admin/tokens")
def tokens_page(request: Request, db: DbSession, actor: CurrentAgent, clock: ClockDep) -> HTMLResponse:
    """Every API token of the organisation: whose, scope, expiry, last used; make and revoke them."""
    return _tokens_page(request, db, actor, clock)


@router.post("/admin/tokens")
def make_token(
    request: Request,
    db: DbSession,
    actor: CurrentAgent,
    clock: ClockDep,
    name: Annotated[str, Form()] = "",
    agent_id: Annotated[str, Form()] = "",
    scope: Annotated[str, Form()] = "all",
    expires_on: Annotated[str, Form()] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    """A new token, shown on the page that answers this form and never again (so no redirect)."""
    check_csrf(request, csrf)
    form = {"name": name, "agent_id": agent_id, "scope": scope, "expires_on": expires_on}
    now = clock.now()
    language = actor.language
    try:
        if not name.strip() or len(name.strip()) > 120:
            raise ValueError(gettext(language, "Give the token a name of at most 120 characters."))
        try:
            day = date.fromisoformat(expires_on) if expires_on else None
        except ValueError:
            raise ValueError(gettext(language, "Enter the expiry as a date.")) from None
        expires = (
            datetime.combine(day, time(23, 59), ZoneInfo("Europe/Amsterdam")).astimezone(UTC) if day else None
        )
        token, secret = tokens.create_token_for(
            db=db, actor=actor, agent_id=uuid.UUID(agent_id) if agent_id else actor.id, name=name.strip(),
            at=now, scope=TokenScope.READ if scope == "read" else TokenScope.ALL, expires_at=expires,
        )  # fmt: skip
    except ValueError as exc:
        db.rollback()
        return _tokens_page(request, db, actor, clock, status_code=422, form=form, error=str(exc))
    except AttentError as exc:
        db.rollback()
        return _tokens_page(
            request, db, actor, clock, status_code=exc.status, form=form, error=exc.say(actor.language)
        )
    db.commit()
    return _tokens_page(request, db, actor, clock, created={"name": token.name, "secret": secret})


@router.post("/admin/tokens/{token_id}/revoke")
def revoke(
    request: Request,
    token_id: uuid.UUID,
    db: DbSession,
    actor: CurrentAgent,
    clock: ClockDep,
    csrf: Annotated[str, Form()] = "",
) -> Response:
    """Revoke a token; requests with it fail from now on."""
    check_csrf(request, csrf)
    require_role(actor)
    revoke_token(db=db, actor=actor, token_id=token_id, at=clock.now())
    return RedirectResponse("/admin/tokens?done=revoked", status_code=303)
