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
