"""Agents, teams, presence and API tokens."""

import uuid

from fastapi import APIRouter, Request
from sqlalchemy.orm import Session

from attent.agents import people, service, tokens
from attent.agents.deps import AdminIdempotent, CurrentAgent, link_base
from attent.agents.models import Agent, Team
from attent.agents.schemas import (
    AgentCreate,
    AgentInvite,
    AgentRead,
    AgentUpdate,
    DefaultTeam,
    PresenceUpdate,
    SessionRead,
    TeamCreate,
    TeamRead,
    TokenCreate,
    TokenCreated,
    TokenRead,
)
from attent.core.deps import ClockDep, DbSession, credential_of
from attent.core.onethread import OneThreadRoute
from attent.core.schemas import Page

router = APIRouter(tags=["agents"], route_class=OneThreadRoute)


def _read(db: Session, agents: list[Agent]) -> list[AgentRead]:
    if not agents:
        return []
    teams = service.teams_of_agents(
        db=db, organisation_id=agents[0].organisation_id, agent_ids=[a.id for a in agents]
    )
    return [AgentRead.model_validate(a).model_copy(update={"team_ids": teams.get(a.id, [])}) for a in agents]


@router.get("/agents")
def list_agents(db: DbSession, actor: CurrentAgent) -> Page[AgentRead]:
    """Admins see every agent; others see their teammates."""
    return Page(items=_read(db, service.visible_agents(db=db, actor=actor)))


@router.post("/agents", status_code=201)
def create_agent(
    body: AgentCreate, db: DbSession, actor: CurrentAgent, clock: ClockDep, idem: AdminIdempotent
) -> AgentRead:
    """Add an agent (admins)."""
    agent = service.create_agent(
        db=db, actor=actor, organisation_id=actor.organisation_id, data=body, at=clock.now()
    )
    result: AgentRead = idem.remember(_read(db, [agent])[0])
    return result


@router.get("/agents/me")
def me(db: DbSession, actor: CurrentAgent) -> AgentRead:
    """The agent behind the credentials."""
    return _read(db, [actor])[0]


@router.get("/agents/{agent_id:uuid}")  # :uuid: /agents/me is not an agent id (PATCH it: 405)
def get_agent(agent_id: uuid.UUID, db: DbSession, actor: CurrentAgent) -> AgentRead:
    """One agent."""
    return _read(db, [service.get_agent(db=db, actor=actor, agent_id=agent_id)])[0]


@router.patch("/agents/{agent_id:uuid}")
def update_agent(
    agent_id: uuid.UUID,
    body: AgentUpdate,
    request: Request,
    db: DbSession,
    actor: CurrentAgent,
    clock: ClockDep,
) -> AgentRead:
    """Change an agent (admins), or your own name, language and password (with `current_password`).

    A new password signs the agent out everywhere else: every web session but the caller's own.
    """
    now = clock.now()
    if body.active is False:  # deactivating hands their work to their teams (see people.deactivate_agent)
        people.deactivate_agent(db=db, actor=actor, agent_id=agent_id, at=now)
    agent = service.update_agent(
        db=db,
        actor=actor,
        agent_id=agent_id,
        data=body.model_copy(update={"active": None}) if body.active is False else body,
        at=now,
        current_token_id=credential_of(request).token_id,
    )
    return _read(db, [agent])[0]


@router.post("/agents/invite", status_code=201)
def invite_agent(
    body: AgentInvite,
    request: Request,
    db: DbSession,
    actor: CurrentAgent,
    clock: ClockDep,
    idem: AdminIdempotent,
) -> AgentRead:
    """Add an agent who chooses their own password through an e-mailed link (single use, 7 days)."""
    agent = people.invite_agent(db=db, actor=actor, data=body, base_url=link_base(request), at=clock.now())
    result: AgentRead = idem.remember(_read(db, [agent])[0])
    return result


@router.post("/agents/{agent_id:uuid}/invitation", status_code=202)
def resend_invitation(
    agent_id: uuid.UUID, request: Request, db: DbSession, actor: CurrentAgent, clock: ClockDep
) -> AgentRead:
    """Send a fresh invitation link (admins); earlier links stop working."""
    agent = people.resend_invitation(
        db=db, actor=actor, agent_id=agent_id, base_url=link_base(request), at=clock.now()
    )
    return _read(db, [agent])[0]


@router.post("/agents/{agent_id:uuid}/deactivate")
def deactivate_agent(agent_id: uuid.UUID, db: DbSession, actor: CurrentAgent, clock: ClockDep) -> AgentRead:
    """Stop an agent signing in (admins): open promises are offered to their teams, unfinished cases go
    back to their teams' queues, their sessions and tokens end."""
    return _read(db, [people.deactivate_agent(db=db, actor=actor, agent_id=agent_id, at=clock.now())])[0]


@router.post("/agents/{agent_id:uuid}/reactivate")
def reactivate_agent(agent_id: uuid.UUID, db: DbSession, actor: CurrentAgent) -> AgentRead:
    """Let a deactivated agent sign in again (admins)."""
    return _read(db, [people.reactivate_agent(db=db, actor=actor, agent_id=agent_id)])[0]


@router.post("/agents/{agent_id:uuid}/unlock")
def unlock_agent(agent_id: uuid.UUID, db: DbSession, actor: CurrentAgent) -> AgentRead:
    """Lift the lock that too many failed sign-ins put on an agent (admins)."""
    return _read(db, [people.unlock_agent(db=db, actor=actor, agent_id=agent_id)])[0]


@router.get("/me/sessions")
def my_sessions(request: Request, db: DbSession, actor: CurrentAgent, clock: ClockDep) -> Page[SessionRead]:
    """Your open web sessions; `current` marks the one this request came with."""
    current = credential_of(request).token_id
    return Page(
        items=[
            SessionRead.model_validate(s).model_copy(update={"current": s.id == current})
            for s in people.list_sessions(db=db, actor=actor, at=clock.now())
        ]
    )


@router.delete("/me/sessions/{session_id}", status_code=204)
def end_my_session(session_id: uuid.UUID, db: DbSession, actor: CurrentAgent, clock: ClockDep) -> None:
    """Sign one of your sessions out (a browser left signed in elsewhere)."""
    people.end_session(db=db, actor=actor, session_id=session_id, at=clock.now())


@router.put("/agents/{agent_id}/presence")
def set_presence(
    agent_id: uuid.UUID, body: PresenceUpdate, db: DbSession, actor: CurrentAgent, clock: ClockDep
) -> AgentRead:
    """Set presence: available (optionally until the end of your shift), away or offline."""
    agent = service.set_presence(
        db=db, actor=actor, agent_id=agent_id, presence=body.presence, until=body.until, at=clock.now()
    )
    return _read(db, [agent])[0]


def _team(db: Session, team: Team) -> TeamRead:
    members = service.members_by_team(db=db, organisation_id=team.organisation_id)
    default = service.default_team_id(db=db, organisation_id=team.organisation_id)
    is_default = team.id == default
    return TeamRead(id=team.id, name=team.name, member_ids=members.get(team.id, []), default=is_default)


@router.get("/teams")
def list_teams(db: DbSession, actor: CurrentAgent) -> Page[TeamRead]:
    """All teams with their members; `default` marks where cases without a team go."""
    members = service.members_by_team(db=db, organisation_id=actor.organisation_id)
    default = service.default_team_id(db=db, organisation_id=actor.organisation_id)
    teams = service.list_teams(db=db, actor=actor)
    return Page(
        items=[
            TeamRead(id=t.id, name=t.name, member_ids=members.get(t.id, []), default=t.id == default)
            for t in teams
        ]
    )


@router.post("/teams", status_code=201)
def create_team(
    body: TeamCreate, db: DbSession, actor: CurrentAgent, clock: ClockDep, idem: AdminIdempotent
) -> TeamRead:
    """Add a team (admins); the organisation's first team becomes its default team."""
    team = service.create_team(db=db, actor=actor, name=body.name, at=clock.now())
    result: TeamRead = idem.remember(_team(db, team))
    return result


@router.put("/teams/default")
def set_default_team(body: DefaultTeam, db: DbSession, actor: CurrentAgent) -> TeamRead:
    """Choose the team that cases created without a team go to (admins)."""
    return _team(db, service.set_default_team(db=db, actor=actor, team_id=body.team_id))


@router.get("/teams/{team_id:uuid}")  # :uuid: /teams/default is not a team id (GET it: 405)
def get_team(team_id: uuid.UUID, db: DbSession, actor: CurrentAgent) -> TeamRead:
    """One team with its members."""
    return _team(db, service.get_team(db=db, actor=actor, team_id=team_id))


@router.get("/tokens")
def list_tokens(db: DbSession, actor: CurrentAgent, all: bool = False) -> Page[TokenRead]:
    """Your API tokens (never their secrets); admins with `all=true`: every token of the organisation."""
    if all:
        return Page(items=[TokenRead.model_validate(t) for t, _ in tokens.all_tokens(db=db, actor=actor)])
    return Page(items=[TokenRead.model_validate(t) for t in service.list_tokens(db=db, actor=actor)])


@router.post("/tokens", status_code=201)
def create_token(body: TokenCreate, db: DbSession, actor: CurrentAgent, clock: ClockDep) -> TokenCreated:
    """A new API token; the secret is in this response only (so this POST is deliberately not replayable).

    Admins may make one for another agent (`agent_id`), so an integration has its own, not an admin's."""
    token, secret = tokens.create_token_for(
        db=db, actor=actor, agent_id=body.agent_id or actor.id, name=body.name, at=clock.now(),
        scope=body.scope, expires_at=body.expires_at,
    )  # fmt: skip
    return TokenCreated.model_validate({**TokenRead.model_validate(token).model_dump(), "token": secret})


@router.delete("/tokens/{token_id}")
def revoke_token(token_id: uuid.UUID, db: DbSession, actor: CurrentAgent, clock: ClockDep) -> TokenRead:
    """Revoke a token; requests with it fail from now on."""
    return TokenRead.model_validate(
        service.revoke_token(db=db, actor=actor, token_id=token_id, at=clock.now())
    )
