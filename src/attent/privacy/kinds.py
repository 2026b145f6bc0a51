"""The timeline event the privacy domain writes (see `attent.timeline.kinds`)."""

from dataclasses import dataclass

from attent.timeline import Kind, kind


@kind("customer.erased")
@dataclass(frozen=True, kw_only=True)
class CustomerErased(Kind):
    """The customer's personal data was erased on request; the case and its counts remain."""
