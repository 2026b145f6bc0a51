"""People in the browser: inviting an agent, single-use links to set a password, deactivating and
reactivating, unlocking a locked sign-in, and the sessions an agent sees and ends.

An invitation and a reset are the same thing underneath: a random link whose SHA-256 is stored, that
works once, until it expires, and is e-mailed through the job queue after the transaction commits
(`agents.mailing`). A new link of the same purpose makes the older ones stop working.
"""

import uuid
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from attent.agents import throttle
from attent.agents.events import AgentDeactivated, PresenceChanged
from attent.agents.mailing import queue_link_mail
from attent.agents.models import Agent, ApiToken, LinkPurpose, OneTimeLink, Presence, Role, TokenKind
from attent.agents.passwords import end_sessions
from attent.agents.schemas import AgentCreate, AgentInvite
from attent.agents.service import create_agent, get_agent, require_role
from attent.core.errors import Conflict, FieldError, Invalid, NotFound
from attent.core.events import publish
from attent.core.security import hash_password, new_token, token_hash

LINK_TTL = {LinkPurpose.INVITE: timedelta(days=7), LinkPurpose.RESET: timedelta(hours=1)}


def invite_agent(*, db: Session, actor: Agent, data: AgentInvite, base_url: str, at: datetime) -> Agent:
    """A new agent without a password, and an e-mail with a link to set one (admins)."""
    agent = create_agent(
        db=db,
        actor=actor,
        organisation_id=actor.organisation_id,
        data=AgentCreate(
            email=data.email, name=data.name, role=data.role, language=data.language, team_ids=data.team_ids
        ),
        at=at,
    )
    send_link(db=db, agent=agent, purpose=LinkPurpose.INVITE, base_url=base_url, at=at, by=actor)
    return agent


def resend_invitation(
    *, db: Session, actor: Agent, agent_id: uuid.UUID, base_url: str, at: datetime
) -> Agent:
    """A fresh invitation for an agent who lost or let lapse the first one (admins)."""
    require_role(actor)
    agent = get_agent(db=db, actor=actor, agent_id=agent_id)
    send_link(db=db, agent=agent, purpose=LinkPurpose.INVITE, base_url=base_url, at=at, by=actor)
    return agent


def send_link(
    *, db: Session, agent: Agent, purpose: LinkPurpose, base_url: str, at: datetime, by: Agent | None
) -> None:
    """Make a single-use link and queue the e-mail that carries it; older links of its purpose end."""
    db.execute(
        update(OneTimeLink)
        .where(
            OneTimeLink.organisation_id == agent.organisation_id,
            OneTimeLink.agent_id == agent.id,
            OneTimeLink.purpose == purpose,
            OneTimeLink.used_at.is_(None),
        )
        .values(used_at=at)
    )
    secret = new_token()
    link = OneTimeLink(
        organisation_id=agent.organisation_id,
        agent_id=agent.id,
        purpose=purpose,
        token_hash=token_hash(secret),
        created_at=at,
        expires_at=at + LINK_TTL[purpose],
    )
    db.add(link)
    db.flush()
    url = f"{base_url.rstrip('/')}/password/{secret}"
    queue_link_mail(db=db, agent=agent, link=link, url=url, inviter=by.name if by else None, at=at)


def request_password_reset(*, db: Session, email: str, base_url: str, at: datetime) -> None:
    """E-mail a reset link to every active agent with this address; the caller learns nothing either way.

    The one lookup besides sign-in that spans organisations: someone who forgot their password does not
    say which organisation they belong to.
    """
    for agent in db.scalars(
        select(Agent).where(Agent.email == email.strip().lower(), Agent.active.is_(True))
    ):
        send_link(db=db, agent=agent, purpose=LinkPurpose.RESET, base_url=base_url, at=at, by=None)


def _link(db: Session, secret: str, at: datetime) -> OneTimeLink:
    link = db.scalar(select(OneTimeLink).where(OneTimeLink.token_hash == token_hash(secret)))
    if link is None or link.used_at is not None or link.expires_at <= at:
        raise Invalid(
            "link_expired",
            "This link has been used or has expired; ask for a new one.",
            [FieldError(("token",), "This link has been used or has expired.")],
        )
    return link


def agent_of_link(*, db: Session, secret: str, at: datetime) -> tuple[Agent, LinkPurpose]:
    """The agent a still-valid link is for, and why it was sent (the form greets them by name)."""
    link = _link(db, secret, at)
    agent = db.get(Agent, (link.organisation_id, link.agent_id))
    assert agent is not None  # a link belongs to its agent by foreign key
    return agent, link.purpose


def use_link(*, db: Session, secret: str, password: str, at: datetime) -> Agent:
    """Set the password through a link, once; every session the agent had ends, and a lock is lifted."""
    if len(password) > 200:
        raise Invalid(
            "password_too_long",
            "Choose a password of at most 200 characters.",
            [FieldError(("password",), "At most 200 characters.")],
        )
    if len(password) < 10:
        raise Invalid(
            "password_too_short",
            "Choose a password of at least 10 characters.",
            [FieldError(("password",), "At least 10 characters.")],
        )
    link = _link(db, secret, at)
    agent = db.get(Agent, (link.organisation_id, link.agent_id))
    assert agent is not None
    if not agent.active:
        raise Conflict("agent_inactive", "This agent has been deactivated.")
    link.used_at = at
    agent.password_hash = hash_password(password)
    end_sessions(db=db, agent=agent, at=at)
    throttle.forget(db=db, keys=[throttle.key_for("email", agent.email)])
    db.flush()
    return agent


def unlock_agent(*, db: Session, actor: Agent, agent_id: uuid.UUID) -> Agent:
    """Lift the lock that failed sign-ins put on an agent's e-mail address (admins)."""
    require_role(actor)
    agent = get_agent(db=db, actor=actor, agent_id=agent_id)
    throttle.forget(db=db, keys=[throttle.key_for("email", agent.email)])
    return agent


def is_locked(*, db: Session, agent: Agent, limit: throttle.Limit, at: datetime) -> bool:
    """Whether failed sign-ins lock this agent's e-mail address right now (for the admin's list)."""
    return throttle.locked(db=db, key=throttle.key_for("email", agent.email), limit=limit, at=at)


def deactivate_agent(*, db: Session, actor: Agent, agent_id: uuid.UUID, at: datetime) -> Agent:
    """The agent can no longer sign in; their open promises go to their teams as for an absent agent,
    their unfinished cases back to their teams' queues, and every session and API token of theirs ends."""
    require_role(actor)
    agent = get_agent(db=db, actor=actor, agent_id=agent_id)
    if agent.id == actor.id:
        raise Conflict("cannot_deactivate_self", "You cannot deactivate yourself; ask another admin.")
    if not agent.active:
        return agent
    agent.active = False
    agent.presence, agent.presence_changed_at, agent.available_until = Presence.OFFLINE, at, None
    db.execute(
        update(ApiToken)
        .where(
            ApiToken.organisation_id == agent.organisation_id,
            ApiToken.agent_id == agent.id,
            ApiToken.revoked_at.is_(None),
        )
        .values(revoked_at=at)
    )
    db.flush()
    publish(db, PresenceChanged(actor=actor, agent=agent, at=at))
    publish(db, AgentDeactivated(actor=actor, agent=agent, at=at))
    return agent


def reactivate_agent(*, db: Session, actor: Agent, agent_id: uuid.UUID) -> Agent:
    """The agent may sign in again (with a new session; old tokens stay revoked)."""
    require_role(actor)
    agent = get_agent(db=db, actor=actor, agent_id=agent_id)
    agent.active = True
    db.flush()
    return agent


def set_role(*, db: Session, actor: Agent, agent_id: uuid.UUID, role: Role) -> Agent:
    """Change an agent's role (admins; never their own admin role away)."""
    require_role(actor)
    agent = get_agent(db=db, actor=actor, agent_id=agent_id)
    if agent.id == actor.id and role is not Role.ADMIN:
        raise Conflict("cannot_demote_self", "Admins cannot remove their own admin role; ask another admin.")
    agent.role = role
    db.flush()
    return agent


# --- the agent's own sessions ----------------------------------------------------------------------


def list_sessions(*, db: Session, actor: Agent, at: datetime) -> list[ApiToken]:
    """The actor's open web sessions, the most recently used first."""
    return list(
        db.scalars(
            select(ApiToken)
            .where(
                ApiToken.organisation_id == actor.organisation_id,
                ApiToken.agent_id == actor.id,
                ApiToken.kind == TokenKind.SESSION,
                ApiToken.revoked_at.is_(None),
                (ApiToken.expires_at.is_(None)) | (ApiToken.expires_at > at),
            )
            .order_by(ApiToken.last_used_at.desc(), ApiToken.created_at.desc())
        )
    )


def end_session(*, db: Session, actor: Agent, session_id: uuid.UUID, at: datetime) -> None:
    """End one of the actor's own open sessions; any other id (another agent's, another organisation's,
    one already ended) is not found, as every id the caller may not act on."""
    ended = db.execute(
        update(ApiToken)
        .where(
            ApiToken.organisation_id == actor.organisation_id,
            ApiToken.agent_id == actor.id,
            ApiToken.id == session_id,
            ApiToken.kind == TokenKind.SESSION,
            ApiToken.revoked_at.is_(None),
        )
        .values(revoked_at=at)
    )
    if ended.rowcount == 0:  # type: ignore[attr-defined]  # an UPDATE's result counts its rows
        raise NotFound("session", "No such session.")
