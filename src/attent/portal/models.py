"""The customer's side: form submissions (for the rate limit), sign-in links, and customer sessions."""

import uuid
from datetime import datetime

from sqlalchemy import ForeignKeyConstraint, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from attent.core.db import Base, TenantMixin


class FormSubmission(TenantMixin, Base):
    """One accepted (or refused as too many) web form post: from which address and which IP."""

    __tablename__ = "portal_submissions"
    __table_args__ = (
        ForeignKeyConstraint(["organisation_id"], ["organisations.id"]),
        Index("ix_portal_submissions_email", "organisation_id", "email", "at"),
        Index("ix_portal_submissions_remote", "organisation_id", "remote", "at"),
    )

    email: Mapped[str] = mapped_column(String(254))
    remote: Mapped[str] = mapped_column(String(64))
    case_id: Mapped[uuid.UUID | None]
    at: Mapped[datetime]


class SignInLink(TenantMixin, Base):
    """A single-use link e-mailed to a customer's address; only its hash is kept."""

    __tablename__ = "portal_signin_links"
    __table_args__ = (
        ForeignKeyConstraint(
            ["organisation_id", "customer_id"], ["customers.organisation_id", "customers.id"]
        ),
        UniqueConstraint("token_hash", name="uq_portal_signin_links_token"),
    )

    customer_id: Mapped[uuid.UUID]
    email: Mapped[str] = mapped_column(String(254))  # the address it was sent to: it stays bound to it
    token_hash: Mapped[str] = mapped_column(String(64))
    next_path: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class CustomerSession(TenantMixin, Base):
    """A signed-in customer's browser; only the hash of its cookie is kept."""

    __tablename__ = "portal_sessions"
    __table_args__ = (
        ForeignKeyConstraint(
            ["organisation_id", "customer_id"], ["customers.organisation_id", "customers.id"]
        ),
        UniqueConstraint("token_hash", name="uq_portal_sessions_token"),
    )

    customer_id: Mapped[uuid.UUID]
    token_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
