"""Agents, teams and tokens as the API shows and accepts them."""

import uuid
from datetime import datetime

from pydantic import EmailStr, Field

from attent.agents.models import Presence, Role
from attent.core.schemas import Input, Output


class TeamCreate(Input):
    """A new team."""

    name: str = Field(min_length=1, max_length=120)


class TeamRead(Output):
    """A team and its members."""

    id: uuid.UUID
    name: str
    member_ids: list[uuid.UUID] = []


class AgentCreate(Input):
    """A new agent; admins only."""

    email: EmailStr
    name: str = Field(min_length=1, max_length=200)
    role: Role = Role.AGENT
    language: str = Field(default="nl", pattern="^(nl|en)$")
    password: str | None = Field(default=None, min_length=10, max_length=200)
    team_ids: list[uuid.UUID] = []


class AgentUpdate(Input):
    """Changes to an agent; admins change anyone, agents only their own name, language and password."""

    name: str | None = Field(default=None, min_length=1, max_length=200)
    role: Role | None = None
    language: str | None = Field(default=None, pattern="^(nl|en)$")
    password: str | None = Field(default=None, min_length=10, max_length=200)
    active: bool | None = None
    team_ids: list[uuid.UUID] | None = None


class PresenceUpdate(Input):
    """An agent's new presence."""

    presence: Presence


class AgentRead(Output):
    """An agent as colleagues see them."""

    id: uuid.UUID
    email: str
    name: str
    role: Role
    language: str
    presence: Presence
    presence_changed_at: datetime
    active: bool
    team_ids: list[uuid.UUID] = []


class TokenCreate(Input):
    """A new API token for the current agent."""

    name: str = Field(min_length=1, max_length=120)


class TokenRead(Output):
    """An API token without its secret."""

    id: uuid.UUID
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class TokenCreated(TokenRead):
    """The one time the secret is shown."""

    token: str
