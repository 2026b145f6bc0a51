"""The timeline events the customers domain writes (on the customer, not on a case)."""

from dataclasses import dataclass, field

from attent.timeline import Kind, Say, kind, stored


@kind("customer.created")
@dataclass(frozen=True, kw_only=True)
class CustomerCreated(Kind):
    """A customer was added."""


@kind("customer.updated")
@dataclass(frozen=True, kw_only=True)
class CustomerUpdated(Kind):
    """A customer's details changed: which fields (never their values)."""

    fields: list[str] = field(default_factory=list)


@kind("customer.merged")
@dataclass(frozen=True, kw_only=True)
class CustomerMerged(Kind):
    """Another customer (the same person) was merged into this one: their cases, contacts, promises,
    references and facts are here now. `from_` is its id; `email` and `phone` what it was known
    by (`known_as`: its name), so the record shows what came from where."""

    from_: str = stored("from", "")
    known_as: str = ""
    email: str = ""
    phone: str = ""
    refs_left: list[str] = field(default_factory=list)  # systems this customer had already (see merging)

    def detail(self, say: Say) -> str:
        return " · ".join(part for part in (self.known_as, self.email, self.phone) if part)


@kind("customer.merged_into")
@dataclass(frozen=True, kw_only=True)
class CustomerMergedInto(Kind):
    """This customer was merged into another (`into`); it stays as a pointer to it."""

    into: str
