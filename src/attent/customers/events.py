"""What the customers domain tells, and asks, the domains above it (subscribed in `attent.wiring`)."""

import uuid
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class CustomerReferencesAdded:
    """A customer was created with, or given, external references (an order number, a booking): signals
    that arrived before the customer and waited for one of these references are theirs now."""

    organisation_id: uuid.UUID
    customer_id: uuid.UUID
    refs: dict[str, str]
    at: datetime


@dataclass(frozen=True)
class WhichDetailsAreHidden:
    """A question, answered by verification: which customer details answer its questions, and so are
    shown masked (`customers.masking.Hidden`)."""

    organisation_id: uuid.UUID


@dataclass(frozen=True)
class CustomersMerged:
    """Customer `merged_id` was merged into `kept_id`; every row with a `customer_id` points at the kept
    one already (`customers.merging`): a domain that must do more than that subscribes."""

    organisation_id: uuid.UUID
    kept_id: uuid.UUID
    merged_id: uuid.UUID
    at: datetime
