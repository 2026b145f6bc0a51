"""An organisation's OpenID Connect provider: where it is, who we are to it, and the sign-in rules."""

import uuid
from datetime import datetime

from sqlalchemy import ForeignKeyConstraint, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from attent.agents.models import Role
from attent.core.db import Base, JSONType, TenantMixin, str_enum


class OidcProvider(TenantMixin, Base):
    """One per organisation. The client secret is sealed (`attent.mail.crypto`) and never leaves the
    server; the allowed domains are lowercase, and an e-mail outside them is refused even if verified."""

    __tablename__ = "oidc_providers"
    __table_args__ = (
        ForeignKeyConstraint(["organisation_id"], ["organisations.id"]),
        UniqueConstraint("organisation_id"),  # one provider each: the sign-in page names it
    )

    label: Mapped[str] = mapped_column(String(80))  # "Sign in with {label}"
    issuer: Mapped[str] = mapped_column(String(500))
    client_id: Mapped[str] = mapped_column(String(300))
    client_secret: Mapped[str] = mapped_column(Text)  # sealed
    allowed_domains: Mapped[list[str]] = mapped_column(JSONType)
    enabled: Mapped[bool] = mapped_column(default=True)
    # Just-in-time: a verified address of an allowed domain without an agent becomes one, with this
    # role, in this team; off, such a person is refused and an admin invites them first.
    create_agents: Mapped[bool] = mapped_column(default=False)
    default_role: Mapped[Role] = mapped_column(str_enum(Role), default=Role.AGENT)
    default_team_id: Mapped[uuid.UUID | None]
    # Password sign-in refused for the organisation's agents, except the break-glass admin, who
    # still gets in when the provider is down or misconfigured.
    required: Mapped[bool] = mapped_column(default=False)
    break_glass_agent_id: Mapped[uuid.UUID | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
