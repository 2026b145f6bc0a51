"""Agents, teams and tokens as the API shows and accepts them."""

import uuid
from datetime import datetime

from pydantic import EmailStr, Field, StrictBool, model_validator

from attent.agents.models import Presence, Role, TokenScope
from attent.core.moments import Moment
from attent.core.schemas import Input, Output


class TeamCreate(Input):
    """A new team."""

    name: str = Field(min_length=1, max_length=120)


class TeamRead(Output):
    """A team and its members; `default`: cases without a team go to this one."""

    id: uuid.UUID
    name: str
    member_ids: list[uuid.UUID] = []
    default: StrictBool = False


class DefaultTeam(Input):
    """The team that cases without a team go to."""

    team_id: uuid.UUID


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
    current_password: str | None = Field(
        default=None, max_length=200, description="Needed when you change your own password."
    )
    active: StrictBool | None = None
    team_ids: list[uuid.UUID] | None = None


class PresenceUpdate(Input):
    """An agent's new presence; `until` says when an available agent's shift ends."""

    presence: Presence
    until: Moment | None = Field(
        default=None, description="End of shift; promises due later are offered to the team at once."
    )

    @model_validator(mode="after")
    def _until_only_when_available(self) -> "PresenceUpdate":
        if self.until is not None and self.presence is not Presence.AVAILABLE:
            raise ValueError(
                "'until' is the end of an available agent's shift; leave it out when away or offline"
            )
        return self


class AgentRead(Output):
    """An agent as colleagues see them."""

    id: uuid.UUID
    email: str
    name: str
    role: Role
    language: str
    presence: Presence
    presence_changed_at: datetime
    available_until: datetime | None
    active: bool
    team_ids: list[uuid.UUID] = []


class TokenCreate(Input):
    """A new API token for the current agent (admins: for any agent, such as an integration's own)."""

    name: str = Field(min_length=1, max_length=120)
    scope: TokenScope = Field(default=TokenScope.ALL, description="`read`: GET requests only.")
    expires_at: Moment | None = Field(default=None, description="After this the token no longer works.")
    agent_id: uuid.UUID | None = Field(default=None, description="Whose token (admins); default: yours.")


class AgentInvite(Input):
    """A new agent who sets their own password through an e-mailed, single-use link."""

    email: EmailStr
    name: str = Field(min_length=1, max_length=200)
    role: Role = Role.AGENT
    language: str = Field(default="nl", pattern="^(nl|en)$")
    team_ids: list[uuid.UUID] = []


class TokenRead(Output):
    """An API token without its secret."""

    id: uuid.UUID
    name: str
    prefix: str
    scope: TokenScope = TokenScope.ALL
    agent_id: uuid.UUID
    created_at: datetime
    expires_at: datetime | None = None
    last_used_at: datetime | None
    revoked_at: datetime | None


class TokenCreated(TokenRead):
    """The one time the secret is shown."""

    token: str


class SessionRead(Output):
    """One of your open web sessions."""

    id: uuid.UUID
    device: str | None
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime | None
    current: bool = False
