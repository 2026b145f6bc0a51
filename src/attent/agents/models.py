"""Agents, teams, team membership and API/session tokens."""

import enum
import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, ForeignKeyConstraint, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from attent.core.db import Base, TenantMixin, str_enum


class Role(enum.StrEnum):
    """What an agent may do: agents work cases, leads see their team, admins manage."""

    AGENT = "agent"
    LEAD = "lead"
    ADMIN = "admin"


class Presence(enum.StrEnum):
    """Whether an agent can take work right now."""

    AVAILABLE = "available"
    AWAY = "away"
    OFFLINE = "offline"


class TokenKind(enum.StrEnum):
    """API tokens are long-lived and named; session tokens back the web sign-in cookie."""

    API = "api"
    SESSION = "session"
    PENDING = "pending"  # a password was right, the second factor is still to come (minutes)
    DEVICE = "device"  # a browser that may skip the second factor for N days


class TokenScope(enum.StrEnum):
    """What an API token may do: everything its agent may, or only read (GET)."""

    ALL = "all"
    READ = "read"


class LinkPurpose(enum.StrEnum):
    """Why a single-use link was e-mailed: to set a first password, or to reset a forgotten one."""

    INVITE = "invite"
    RESET = "reset"


class Team(TenantMixin, Base):
    """A group of agents that shares a queue of cases."""

    __tablename__ = "teams"
    __table_args__ = (
        ForeignKeyConstraint(["organisation_id"], ["organisations.id"]),
        UniqueConstraint("organisation_id", "name"),
    )

    name: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime]


class Agent(TenantMixin, Base):
    """A person who serves customers."""

    __tablename__ = "agents"
    __table_args__ = (
        ForeignKeyConstraint(["organisation_id"], ["organisations.id"]),
        UniqueConstraint("organisation_id", "email"),
        Index("ix_agents_email", "email"),
    )

    email: Mapped[str] = mapped_column(String(254))
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(str_enum(Role), default=Role.AGENT)
    language: Mapped[str] = mapped_column(String(5), default="nl")
    password_hash: Mapped[str | None] = mapped_column(String(200), deferred=True)  # read at sign-in only
    presence: Mapped[Presence] = mapped_column(str_enum(Presence), default=Presence.OFFLINE)
    presence_changed_at: Mapped[datetime]
    available_until: Mapped[datetime | None]  # end of the current shift, when the agent said so
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime]
    # Two-factor sign-in: the TOTP secret sealed with ATTENT_SECRET_KEY (read at sign-in only), and the
    # last time step accepted, so a code seen over a shoulder cannot be used a second time.
    totp_secret: Mapped[str | None] = mapped_column(String(200), deferred=True)
    totp_last_step: Mapped[int | None]


class TeamMembership(Base):
    """An agent's place in a team."""

    __tablename__ = "team_memberships"
    __table_args__ = (
        ForeignKeyConstraint(["organisation_id", "team_id"], ["teams.organisation_id", "teams.id"]),
        ForeignKeyConstraint(["organisation_id", "agent_id"], ["agents.organisation_id", "agents.id"]),
        Index("ix_team_memberships_agent", "organisation_id", "agent_id"),
    )

    organisation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id"), primary_key=True)
    team_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    agent_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)


class ApiToken(TenantMixin, Base):
    """A bearer credential; only its SHA-256 is stored, so a database leak leaks no tokens."""

    __tablename__ = "api_tokens"
    __table_args__ = (
        ForeignKeyConstraint(["organisation_id", "agent_id"], ["agents.organisation_id", "agents.id"]),
        Index("ix_api_tokens_token_hash", "token_hash"),
    )

    agent_id: Mapped[uuid.UUID]
    kind: Mapped[TokenKind] = mapped_column(str_enum(TokenKind))
    name: Mapped[str] = mapped_column(String(120))
    token_hash: Mapped[str] = mapped_column(String(64))
    prefix: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    scope: Mapped[TokenScope] = mapped_column(str_enum(TokenScope), default=TokenScope.ALL)
    # For a session: the browser it was opened in, as its User-Agent said, so agents recognise it.
    device: Mapped[str | None] = mapped_column(String(200))


class OneTimeLink(TenantMixin, Base):
    """An e-mailed link to set a password; only its SHA-256 is stored, and it works once, until it expires."""

    __tablename__ = "agent_links"
    __table_args__ = (
        ForeignKeyConstraint(["organisation_id", "agent_id"], ["agents.organisation_id", "agents.id"]),
        Index("ix_agent_links_token_hash", "token_hash"),
    )

    agent_id: Mapped[uuid.UUID]
    purpose: Mapped[LinkPurpose] = mapped_column(str_enum(LinkPurpose))
    token_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class RecoveryCode(TenantMixin, Base):
    """One of ten single-use codes that stand in for the authenticator app; stored as a hash."""

    __tablename__ = "agent_recovery_codes"
    __table_args__ = (
        ForeignKeyConstraint(["organisation_id", "agent_id"], ["agents.organisation_id", "agents.id"]),
        Index("ix_agent_recovery_codes_agent", "organisation_id", "agent_id"),
    )

    agent_id: Mapped[uuid.UUID]
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class SignInThrottle(Base):
    """Failed sign-ins per e-mail or client address in a fixed window; shared by every web process.

    The one table without an organisation: a failed sign-in may name no agent at all. Keys are hashes,
    so the table holds no e-mail address or IP in the clear.
    """

    __tablename__ = "sign_in_throttle"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    window_start: Mapped[datetime]
    failures: Mapped[int] = mapped_column(default=0)
