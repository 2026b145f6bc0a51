"""The single sign-on settings as the API shows and accepts them; the client secret goes in, never out."""

import uuid
from datetime import datetime

from pydantic import Field, StrictBool

from attent.agents.models import Role
from attent.core.schemas import Input, Output


class ProviderIn(Input):
    """An organisation's OpenID Connect provider. Leave `client_secret` out to keep the stored one."""

    label: str = Field(min_length=1, max_length=80, description='Shown as "Sign in with {label}".')
    issuer: str = Field(
        min_length=8,
        max_length=500,
        description="The issuer URL; its /.well-known/openid-configuration is read.",
    )
    client_id: str = Field(min_length=1, max_length=300)
    client_secret: str | None = Field(default=None, min_length=1, max_length=2000)
    allowed_domains: list[str] = Field(min_length=1, max_length=50)
    enabled: StrictBool = True
    create_agents: StrictBool = False
    default_role: Role = Role.AGENT
    default_team_id: uuid.UUID | None = None
    required: StrictBool = False
    break_glass_agent_id: uuid.UUID | None = None


class ProviderRead(Output):
    """The provider as an admin sees it: whether a client secret is set, not what it is."""

    label: str
    issuer: str
    client_id: str
    client_secret_set: bool
    allowed_domains: list[str]
    enabled: bool
    create_agents: bool
    default_role: Role
    default_team_id: uuid.UUID | None
    required: bool
    break_glass_agent_id: uuid.UUID | None
    redirect_uri: str = Field(description="Register this address at the provider.")
    created_at: datetime
    updated_at: datetime
