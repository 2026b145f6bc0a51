"""The timeline events the customers domain writes (on the customer, not on a case)."""

from dataclasses import dataclass, field

from attent.timeline import Kind, kind


@kind("customer.created")
@dataclass(frozen=True, kw_only=True)
class CustomerCreated(Kind):
    """A customer was added."""


@kind("customer.updated")
@dataclass(frozen=True, kw_only=True)
class CustomerUpdated(Kind):
    """A customer's details changed: which fields (never their values)."""

    fields: list[str] = field(default_factory=list)
