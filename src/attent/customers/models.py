"""Customers and their references in other systems (shop, booking, ...)."""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKeyConstraint, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from attent.core.db import Base, TenantMixin


class Customer(TenantMixin, Base):
    """A person or company served; `facts` holds only what the customer consented to share."""

    __tablename__ = "customers"
    __table_args__ = (
        ForeignKeyConstraint(["organisation_id"], ["organisations.id"]),
        Index("ix_customers_email", "organisation_id", "email"),
    )

    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(40))
    language: Mapped[str] = mapped_column(String(5), default="nl")
    facts: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    # Merged into another customer (the same person under a second address): this row stays, with the
    # details it had, as a pointer, so mail from its address and links to it land on the one kept.
    merged_into_id: Mapped[uuid.UUID | None]


class CustomerRef(Base):
    """One external reference, e.g. system 'shop' value 'C-1042'; unique per organisation."""

    __tablename__ = "customer_refs"
    __table_args__ = (
        ForeignKeyConstraint(
            ["organisation_id", "customer_id"], ["customers.organisation_id", "customers.id"]
        ),
        UniqueConstraint("organisation_id", "system", "value"),
        Index("ix_customer_refs_customer", "organisation_id", "customer_id"),
    )

    organisation_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    customer_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    system: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(String(120))
