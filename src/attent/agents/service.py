"""Agents, teams, memberships, presence, sign-in and tokens."""

import uuid
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, Select, bindparam, delete, select, update
from sqlalchemy.orm import Session, undefer

from attent.agents.events import PresenceChanged
from attent.agents.models import (
    Agent,
    ApiToken,
    Presence,
    Role,
    Team,
    TeamMembership,
    TokenKind,
    TokenScope,
)
from attent.agents.passwords import check_current_password, end_sessions
from attent.agents.schemas import AgentCreate, AgentUpdate
from attent.core.errors import Conflict, FieldError, Forbidden, Invalid, NotFound, Unauthenticated
from attent.core.events import publish
from attent.core.i18n import Label
from attent.core.security import hash_password, new_token, token_hash, verify_password
from attent.organisations import Organisation

TOUCH_EVERY = timedelta(minutes=1)


def require_role(actor: Agent, *roles: Role) -> None:
    """Refuse unless the actor has one of these roles (admins may do everything)."""
    if actor.role not in (*roles, Role.ADMIN):
        needed = [Label(r.value, "role") for r in roles] or [Label(Role.ADMIN.value, "role")]
        raise Forbidden(
            "role_required",
            "This needs the role {role}; you are {current}.",
            role=needed[0] if len(needed) == 1 else needed,
            current=Label(actor.role.value, "role"),
        )


# --- teams -----------------------------------------------------------------------------------------


def create_team(*, db: Session, actor: Agent, name: str, at: datetime) -> Team:
    """A new team; admins only. The organisation's first team becomes its default team."""
    require_role(actor)
    exists = db.scalar(
        select(Team.id).where(Team.organisation_id == actor.organisation_id, Team.name == name)
    )
    if exists is not None:
        raise Conflict("team_exists", "A team named “{name}” already exists.", name=name)
    team = Team(organisation_id=actor.organisation_id, name=name, created_at=at)
    db.add(team)
    db.flush()
    org = db.get(Organisation, actor.organisation_id)
    if org is not None and org.default_team_id is None:
        org.default_team_id = team.id  # from now on a case without a team lands here
        db.flush()
    return team


def set_default_team(*, db: Session, actor: Agent, team_id: uuid.UUID) -> Team:
    """Admins choose the team that cases without a team go to; cases already in a team stay there."""
    require_role(actor)
    team = db.get(Team, (actor.organisation_id, team_id))
    if team is None:
        raise Invalid(
            "unknown_team", "The default team is a team of your organisation.",
            [FieldError(("team_id",), "No team with id {id}.", {"id": team_id})],
        )  # fmt: skip
    org = db.get(Organisation, actor.organisation_id)
    assert org is not None  # the actor belongs to it
    org.default_team_id = team.id
    db.flush()
    return team


def default_team_id(*, db: Session, organisation_id: uuid.UUID) -> uuid.UUID | None:
    """The team a case without a team goes to; None while the organisation has no team."""
    org = db.get(Organisation, organisation_id)
    return org.default_team_id if org is not None else None


def list_teams(*, db: Session, actor: Agent) -> list[Team]:
    """All teams of the organisation, by name."""
    return list(
        db.scalars(select(Team).where(Team.organisation_id == actor.organisation_id).order_by(Team.name))
    )


def get_team(*, db: Session, actor: Agent, team_id: uuid.UUID) -> Team:
    """One team of the actor's organisation."""
    team = db.get(Team, (actor.organisation_id, team_id))
    if team is None:
        raise NotFound.of("team", team_id)
    return team


def members_by_team(*, db: Session, organisation_id: uuid.UUID) -> dict[uuid.UUID, list[uuid.UUID]]:
    """Team id -> member agent ids, in one query."""
    rows = db.execute(
        select(TeamMembership.team_id, TeamMembership.agent_id).where(
            TeamMembership.organisation_id == organisation_id
        )
    )
    members: dict[uuid.UUID, list[uuid.UUID]] = defaultdict(list)
    for team_id, agent_id in rows:
        members[team_id].append(agent_id)
    return members


def teams_to_share_with(*, db: Session, actor: Agent) -> list[Team]:
    """The teams the actor may share things with (canned replies): an admin any team, others their own."""
    teams = list_teams(db=db, actor=actor)
    if actor.role is Role.ADMIN:
        return teams
    mine = set(team_ids_of(db=db, agent=actor))
    return [t for t in teams if t.id in mine]


def team_ids_of(*, db: Session, agent: Agent) -> list[uuid.UUID]:
    """The teams an agent belongs to."""
    return list(
        db.scalars(
            select(TeamMembership.team_id).where(
                TeamMembership.organisation_id == agent.organisation_id, TeamMembership.agent_id == agent.id
            )
        )
    )


def teams_of_agents(
    *, db: Session, organisation_id: uuid.UUID, agent_ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[uuid.UUID]]:
    """Agent id -> team ids, in one query."""
    rows = db.execute(
        select(TeamMembership.agent_id, TeamMembership.team_id).where(
            TeamMembership.organisation_id == organisation_id, TeamMembership.agent_id.in_(agent_ids)
        )
    )
    teams: dict[uuid.UUID, list[uuid.UUID]] = defaultdict(list)
    for agent_id, team_id in rows:
        teams[agent_id].append(team_id)
    return teams


def _set_teams(*, db: Session, agent: Agent, team_ids: list[uuid.UUID]) -> None:
    known = set(
        db.scalars(
            select(Team.id).where(Team.organisation_id == agent.organisation_id, Team.id.in_(team_ids))
        )
    )
    unknown = [
        FieldError(("team_ids", i), "No team with id {id}.", {"id": t})
        for i, t in enumerate(team_ids)
        if t not in known
    ]
    if unknown:
        raise Invalid("unknown_team", "One or more teams do not exist.", unknown)
    db.execute(
        delete(TeamMembership).where(
            TeamMembership.organisation_id == agent.organisation_id, TeamMembership.agent_id == agent.id
        )
    )
    db.add_all(
        TeamMembership(organisation_id=agent.organisation_id, team_id=t, agent_id=agent.id)
        for t in dict.fromkeys(team_ids)
    )
    db.flush()


# --- agents ----------------------------------------------------------------------------------------


def create_agent(
    *, db: Session, actor: Agent | None, organisation_id: uuid.UUID, data: AgentCreate, at: datetime
) -> Agent:
    """A new agent; admins only (`actor=None` is the CLI bootstrapping the first admin)."""
    if actor is not None:
        require_role(actor)
        organisation_id = actor.organisation_id
    email = str(data.email).lower()
    if db.scalar(select(Agent.id).where(Agent.organisation_id == organisation_id, Agent.email == email)):
        raise Conflict("agent_exists", "An agent with e-mail {email} already exists.", email=email)
    agent = Agent(
        organisation_id=organisation_id,
        email=email,
        name=data.name,
        role=data.role,
        language=data.language,
        password_hash=hash_password(data.password) if data.password else None,
        presence=Presence.OFFLINE,
        presence_changed_at=at,
        active=True,
        created_at=at,
    )
    db.add(agent)
    db.flush()
    if data.team_ids:
        _set_teams(db=db, agent=agent, team_ids=data.team_ids)
    return agent


def get_agent(*, db: Session, actor: Agent, agent_id: uuid.UUID) -> Agent:
    """An agent of the actor's organisation; an agent reads only whom `visible_agents` lists (else 404).

    Leads and admins read any agent of the organisation by id, as before: leads hand promises and
    cases across teams.
    """
    query = select(Agent).where(Agent.organisation_id == actor.organisation_id, Agent.id == agent_id)
    if actor.role is Role.AGENT:
        query = query.where(_self_or_teammate(actor))
    agent = db.scalar(query)
    if agent is None:
        raise NotFound.of("agent", agent_id)
    return agent


def _self_or_teammate(actor: Agent) -> ColumnElement[bool]:
    """The agents who share a team with the actor, and the actor: what a non-admin's list shows."""
    mine = select(TeamMembership.team_id).where(
        TeamMembership.organisation_id == actor.organisation_id, TeamMembership.agent_id == actor.id
    )
    teammates = select(TeamMembership.agent_id).where(
        TeamMembership.organisation_id == actor.organisation_id, TeamMembership.team_id.in_(mine)
    )
    return Agent.id.in_(teammates) | (Agent.id == actor.id)


def visible_agents(*, db: Session, actor: Agent) -> list[Agent]:
    """Admins see everyone; leads and agents see the members of their own teams."""
    query = select(Agent).where(Agent.organisation_id == actor.organisation_id).order_by(Agent.name)
    if actor.role is not Role.ADMIN:
        query = query.where(_self_or_teammate(actor))
    return list(db.scalars(query))


def update_agent(
    *,
    db: Session,
    actor: Agent,
    agent_id: uuid.UUID,
    data: AgentUpdate,
    at: datetime,
    current_token_id: uuid.UUID | None = None,
) -> Agent:
    """Admins change anyone; others only their own name, language and password.

    A new password ends the agent's web sessions: all of them when an admin sets it, all but the one
    in use (`current_token_id`) when agents change their own, which takes their current password.
    """
    agent = get_agent(db=db, actor=actor, agent_id=agent_id)
    changes = data.model_dump(exclude_unset=True)
    if actor.role is not Role.ADMIN and (
        agent.id != actor.id or changes.keys() - {"name", "language", "password", "current_password"}
    ):
        raise Forbidden("role_required", "Only admins change other agents, roles, teams or activity.")
    if (
        agent.id == actor.id
        and changes.get("role", Role.ADMIN) is not Role.ADMIN
        and actor.role is Role.ADMIN
    ):
        raise Conflict("cannot_demote_self", "Admins cannot remove their own admin role; ask another admin.")
    if changes.get("password"):
        own = agent.id == actor.id
        if own:
            check_current_password(db=db, agent=agent, given=data.current_password)
        agent.password_hash = hash_password(changes["password"])
        end_sessions(db=db, agent=agent, at=at, keep=current_token_id if own else None)
    for field in ("name", "role", "language", "active"):
        if changes.get(field) is not None:
            setattr(agent, field, changes[field])
    if data.team_ids is not None:
        _set_teams(db=db, agent=agent, team_ids=data.team_ids)
    db.flush()
    return agent


def set_presence(
    *,
    db: Session,
    actor: Agent,
    agent_id: uuid.UUID,
    presence: Presence,
    at: datetime,
    until: datetime | None = None,
) -> Agent:
    """Agents set their own presence; leads and admins may set a teammate's (e.g. forgot to sign off)."""
    agent = get_agent(db=db, actor=actor, agent_id=agent_id)
    if agent.id != actor.id:
        require_role(actor, Role.LEAD)
    if until is not None and until <= at:
        raise Invalid(
            "shift_ended",
            "The end of the shift is in the past.",
            [
                FieldError(
                    ("until",),
                    "{until} is not after now ({now}).",
                    {"until": until.isoformat(), "now": at.isoformat()},
                )
            ],
        )
    if agent.presence is not presence or agent.available_until != until:
        if agent.presence is not presence:
            agent.presence_changed_at = at
        agent.presence, agent.available_until = presence, until
        db.flush()
        publish(db, PresenceChanged(actor=actor, agent=agent, at=at))
    return agent


def finished_shifts(*, now: datetime, limit: int) -> Select[Agent]:
    """Agents still marked available after the end of their shift, for the worker to claim."""
    return (
        select(Agent)
        .where(Agent.presence == Presence.AVAILABLE, Agent.available_until <= now)
        .order_by(Agent.available_until)
        .limit(limit)
    )


def end_finished_shifts(*, db: Session, agents: Sequence[Agent], now: datetime) -> int:
    """Claimed agents whose shift ended go offline, so their work moves on."""
    for agent in agents:
        assert agent.available_until is not None
        agent.presence, agent.presence_changed_at = Presence.OFFLINE, agent.available_until
        agent.available_until = None
        db.flush()
        publish(db, PresenceChanged(actor=agent, agent=agent, at=now))
    return len(agents)


# --- sign-in and tokens ----------------------------------------------------------------------------


def _issue(
    *,
    db: Session,
    agent: Agent,
    kind: TokenKind,
    name: str,
    at: datetime,
    ttl: timedelta | None,
    secret: str | None = None,
) -> tuple[ApiToken, str]:
    secret = secret or new_token()
    token = ApiToken(
        organisation_id=agent.organisation_id,
        agent_id=agent.id,
        kind=kind,
        name=name,
        token_hash=token_hash(secret),
        prefix=secret[:12],
        created_at=at,
        expires_at=at + ttl if ttl else None,
    )
    db.add(token)
    db.flush()
    return token, secret


def create_token(
    *,
    db: Session,
    agent: Agent,
    name: str,
    at: datetime,
    secret: str | None = None,
    scope: TokenScope = TokenScope.ALL,
    expires_at: datetime | None = None,
) -> tuple[ApiToken, str]:
    """A named API token for `agent`; the secret is returned once and never stored.

    `secret` is for a caller that can derive it again by itself (the demo's token, from the secret key)."""
    if expires_at is not None and expires_at <= at:
        past = FieldError(("expires_at",), "{expires_at} is not after now.", {"expires_at": expires_at})
        raise Invalid("expiry_in_past", "A token must expire in the future.", [past])
    token, secret = _issue(db=db, agent=agent, kind=TokenKind.API, name=name, at=at, ttl=None, secret=secret)
    token.scope, token.expires_at = scope, expires_at
    db.flush()
    return token, secret


def list_tokens(*, db: Session, actor: Agent) -> list[ApiToken]:
    """The actor's own API tokens, newest first."""
    return list(
        db.scalars(
            select(ApiToken)
            .where(
                ApiToken.organisation_id == actor.organisation_id,
                ApiToken.agent_id == actor.id,
                ApiToken.kind == TokenKind.API,
            )
            .order_by(ApiToken.id.desc())
        )
    )


def revoke_token(*, db: Session, actor: Agent, token_id: uuid.UUID, at: datetime) -> ApiToken:
    """Revoke one of your tokens (admins: anyone's in the organisation)."""
    token = db.get(ApiToken, (actor.organisation_id, token_id))
    if token is None or (token.agent_id != actor.id and actor.role is not Role.ADMIN):
        raise NotFound.of("token", token_id)
    if token.revoked_at is None:
        token.revoked_at = at
        db.flush()
    return token


def sign_in(
    *, db: Session, email: str, password: str, at: datetime, session_ttl: timedelta
) -> tuple[Agent, str]:
    """Check e-mail and password and open a web session (for callers without a second factor)."""
    agent = check_credentials(db=db, email=email, password=password)
    return agent, open_session(db=db, agent=agent, at=at, ttl=session_ttl)


def check_credentials(*, db: Session, email: str, password: str) -> Agent:
    """The active agent with this e-mail and password; the one lookup that spans organisations."""
    candidates = list(
        db.scalars(
            select(Agent)
            .options(undefer(Agent.password_hash))
            .where(Agent.email == email.strip().lower(), Agent.active.is_(True))
        )
    )
    matches = [a for a in candidates if verify_password(password, a.password_hash)]
    if not candidates:
        verify_password(password, None)
    if len(matches) != 1:
        raise Unauthenticated("bad_credentials", "E-mail address or password is not correct.")
    return matches[0]


def open_session(
    *,
    db: Session,
    agent: Agent,
    at: datetime,
    ttl: timedelta,
    kind: TokenKind = TokenKind.SESSION,
    device: str | None = None,
) -> str:
    """A web session (or a pending second-factor step, or a remembered device) for this agent."""
    names = {TokenKind.SESSION: "web sign-in", TokenKind.PENDING: "second factor", TokenKind.DEVICE: "device"}
    token, secret = _issue(db=db, agent=agent, kind=kind, name=names.get(kind, "web"), at=at, ttl=ttl)
    token.device = device[:200] if device else None
    return secret


def sign_out(*, db: Session, secret: str, at: datetime) -> None:
    """End the web session behind this cookie value."""
    token = db.scalar(select(ApiToken).where(ApiToken.token_hash == token_hash(secret)))
    if token is not None and token.revoked_at is None:
        token.revoked_at = at
        db.flush()


# Every request passes here: the statement is built once, and the token's row is read as plain columns.
_BY_TOKEN = (
    select(
        Agent, ApiToken.id, ApiToken.revoked_at, ApiToken.expires_at, ApiToken.last_used_at, ApiToken.scope
    )
    .join(ApiToken, (Agent.organisation_id == ApiToken.organisation_id) & (Agent.id == ApiToken.agent_id))
    .where(ApiToken.token_hash == bindparam("token_hash"), ApiToken.kind == bindparam("kind"))
)


def authenticate(
    *, db: Session, secret: str, at: datetime, kind: TokenKind, writing: bool = False
) -> tuple[Agent, uuid.UUID]:
    """The active agent behind a bearer token or session cookie, and the token's id (touched each minute).

    `writing`: the request changes something, which a read-only token may not do."""
    row = db.execute(_BY_TOKEN, {"token_hash": token_hash(secret), "kind": kind}).first()
    if row is None:
        raise Unauthenticated("invalid_token", "The token is not valid.")
    agent, token_id, revoked_at, expires_at, last_used_at, scope = row
    if revoked_at is not None or (expires_at is not None and expires_at <= at):
        raise Unauthenticated("token_revoked", "The token has been revoked or has expired.")
    if not agent.active:
        raise Unauthenticated("agent_inactive", "This agent has been deactivated.")
    if writing and scope is TokenScope.READ:
        raise Forbidden(
            "token_read_only", "This token may only read; use a token with full scope to change data."
        )
    if last_used_at is None or at - last_used_at > TOUCH_EVERY:
        db.execute(
            update(ApiToken)
            .where(ApiToken.organisation_id == agent.organisation_id, ApiToken.id == token_id)
            .values(last_used_at=at)
        )
    return agent, token_id
