"""Changing a password: proof of the current one, and the sessions a new one ends."""

import uuid
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from attent.agents.models import Agent, ApiToken, TokenKind
from attent.core.errors import FieldError, Invalid
from attent.core.security import verify_password


def check_current_password(*, db: Session, agent: Agent, given: str | None) -> None:
    """Whoever holds a session or token must also know the password to change it (an agent who never
    had one sets the first without)."""
    stored = db.scalar(
        select(Agent.password_hash).where(
            Agent.organisation_id == agent.organisation_id, Agent.id == agent.id
        )
    )
    if stored is None:
        return
    if not given:
        raise Invalid(
            "current_password_required",
            "Give your current password to change it.",
            [FieldError(("current_password",), "Your current password is needed to set a new one.")],
        )
    if not verify_password(given, stored):
        raise Invalid(
            "current_password_wrong",
            "The current password is not correct; the password was not changed.",
            [FieldError(("current_password",), "This is not your current password.")],
        )


def end_sessions(*, db: Session, agent: Agent, at: datetime, keep: uuid.UUID | None = None) -> None:
    """Sign the agent out of every web session but `keep`; API tokens are named and revoked one by one."""
    ending = update(ApiToken).where(
        ApiToken.organisation_id == agent.organisation_id,
        ApiToken.agent_id == agent.id,
        ApiToken.kind == TokenKind.SESSION,
        ApiToken.revoked_at.is_(None),
    )
    if keep is not None:
        ending = ending.where(ApiToken.id != keep)
    db.execute(ending.values(revoked_at=at))
