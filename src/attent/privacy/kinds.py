"""The timeline event the privacy domain writes (see `attent.timeline.kinds`)."""

from dataclasses import dataclass

from attent.timeline import Kind, kind


@kind("customer.erased")
@dataclass(frozen=True, kw_only=True)
class CustomerErased(Kind):
    """The customer's personal data was erased on request; the case and its counts remain."""


@kind("attachment.expired")
@dataclass(frozen=True, kw_only=True)
class AttachmentExpired(Kind):
    """An attachment of a case closed longer ago than the organisation keeps files was deleted (the
    retention period); its name is not repeated here, as it may itself be personal data."""

    attachment_id: str
