"""What the agents domain tells the domains above it, which `attent.wiring` subscribes to."""

from dataclasses import dataclass
from datetime import datetime

from attent.agents.models import Agent


@dataclass(frozen=True)
class PresenceChanged:
    """An agent became available, away or offline (by themselves, a lead, or the end of their shift):
    the promise keeper offers the promises they can no longer keep to their team."""

    actor: Agent
    agent: Agent
    at: datetime


@dataclass(frozen=True)
class AgentDeactivated:
    """An admin deactivated an agent: the cases they owned go back to their teams' queues (their
    promises were already offered to the team through `PresenceChanged`, as for an absent agent)."""

    actor: Agent
    agent: Agent
    at: datetime
