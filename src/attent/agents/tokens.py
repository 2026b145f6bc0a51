"""API tokens as an admin manages them: for any agent of the organisation (an integration's own), and
the organisation's whole list with whose each one is."""

import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from attent.agents.models import Agent, ApiToken, TokenKind, TokenScope
from attent.agents.service import create_token, get_agent, require_role


def create_token_for(
    *,
    db: Session,
    actor: Agent,
    agent_id: uuid.UUID,
    name: str,
    at: datetime,
    scope: TokenScope = TokenScope.ALL,
    expires_at: datetime | None = None,
) -> tuple[ApiToken, str]:
    """A token for yourself, or (admins) for another agent, such as an integration's own agent."""
    if agent_id != actor.id:
        require_role(actor)
    agent = get_agent(db=db, actor=actor, agent_id=agent_id)
    return create_token(db=db, agent=agent, name=name, at=at, scope=scope, expires_at=expires_at)


def all_tokens(*, db: Session, actor: Agent) -> list[tuple[ApiToken, str]]:
    """Every API token of the organisation with its agent's name, newest first (admins)."""
    require_role(actor)
    rows = db.execute(
        select(ApiToken, Agent.name)
        .join(Agent, (Agent.organisation_id == ApiToken.organisation_id) & (Agent.id == ApiToken.agent_id))
        .where(ApiToken.organisation_id == actor.organisation_id, ApiToken.kind == TokenKind.API)
        .order_by(ApiToken.id.desc())
    )
    return [(token, name) for token, name in rows]
