"""Agents, teams, presence, sign-in and tokens; and who is calling a route (`CurrentAgent`)."""

# What other domains may use besides `service`: the vocabulary of this domain's rows and bodies.
from attent.agents.deps import (
    CALLERS,
    AdminIdempotent,
    CurrentAgent,
    Idempotent,
    request_agent,
)
from attent.agents.events import PresenceChanged
from attent.agents.models import Agent, ApiToken, Presence, Role, Team, TeamMembership, TokenKind
from attent.agents.schemas import AgentCreate

__all__ = [
    "CALLERS",
    "AdminIdempotent",
    "Agent",
    "AgentCreate",
    "ApiToken",
    "CurrentAgent",
    "Idempotent",
    "Presence",
    "PresenceChanged",
    "Role",
    "Team",
    "TeamMembership",
    "TokenKind",
    "request_agent",
]
