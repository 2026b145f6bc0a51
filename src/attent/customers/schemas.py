"""Customers as the API shows and accepts them."""

import uuid
from datetime import datetime

from pydantic import EmailStr, Field

from attent.core.schemas import Input, Output

REF_SYSTEM = r"^[a-z][a-z0-9_.-]{0,39}$"


class Fact(Input):
    """Something the customer chose to share (a birthday, a preference), with how they consented."""

    value: str = Field(min_length=1, max_length=500)
    consent: str = Field(min_length=1, max_length=200, description="How and where the customer consented.")


class FactRead(Fact):
    """A consented fact and when we recorded it."""

    recorded_at: datetime


class CustomerCreate(Input):
    """A new customer."""

    name: str = Field(min_length=1, max_length=200)
    email: EmailStr | None = None
    phone: str | None = Field(default=None, min_length=3, max_length=40, pattern=r"^\+?[0-9 ()./-]+$")
    language: str = Field(default="nl", pattern="^(nl|en)$")
    external_refs: dict[str, str] = Field(
        default_factory=dict, description="System -> reference, e.g. {'shop': 'C-1042'}"
    )
    facts: dict[str, Fact] = Field(default_factory=dict)


class CustomerUpdate(Input):
    """Changes to a customer; `external_refs` and `facts` entries set to null are removed."""

    name: str | None = Field(default=None, min_length=1, max_length=200)
    email: EmailStr | None = None
    phone: str | None = Field(default=None, min_length=3, max_length=40, pattern=r"^\+?[0-9 ()./-]+$")
    language: str | None = Field(default=None, pattern="^(nl|en)$")
    external_refs: dict[str, str | None] | None = None
    facts: dict[str, Fact | None] | None = None


class CustomerRead(Output):
    """A customer."""

    id: uuid.UUID
    name: str
    email: str | None
    phone: str | None
    language: str
    external_refs: dict[str, str]
    facts: dict[str, FactRead]
    masked: list[str] = Field(
        default=[],
        description="JSON pointers of the details shown masked ('/email', '/facts/iban_last4'): they answer "
        "verification questions, so nobody reads them here; they are compared, and may be replaced.",
    )
    created_at: datetime
    updated_at: datetime
    merged_into_id: uuid.UUID | None = Field(
        default=None, description="Merged into this customer: this one is a pointer to it."
    )


class CustomerMerge(Input):
    """Merge this customer into another of the organisation (the same person); this one becomes a pointer."""

    into: uuid.UUID = Field(description="The customer to keep.")
