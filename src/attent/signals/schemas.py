"""Signals, webhook sources and rule firings as the API shows and accepts them."""

import uuid
from datetime import datetime
from typing import Annotated, Any

from pydantic import Discriminator, Field, Tag, model_validator

from attent.core.moments import Moment
from attent.core.schemas import Input, Output
from attent.customers import REF_SYSTEM
from attent.signals.models import FiringState, SignalState

MAX_BATCH = 1000
SOURCE_NAME = r"^[a-z][a-z0-9_-]{0,39}$"


class CustomerRefIn(Input):
    """The customer as another system knows them, e.g. system 'shop', value 'C-1042'."""

    system: str = Field(pattern=REF_SYSTEM)
    value: str = Field(min_length=1, max_length=120)


class SignalIn(Input):
    """One event: what happened, to whom, when; `external_id` makes sending it twice harmless."""

    type: str = Field(min_length=1, max_length=80, description="e.g. order.shipped, delivery.failed")
    customer_id: uuid.UUID | None = Field(default=None, description="The customer's Attent id …")
    customer_ref: CustomerRefIn | None = Field(default=None, description="… or their reference elsewhere.")
    occurred_at: Moment
    attributes: dict[str, Any] = Field(default_factory=dict)
    external_id: str | None = Field(default=None, min_length=1, max_length=200)

    @model_validator(mode="after")
    def _one_customer(self) -> "SignalIn":
        if (self.customer_id is None) == (self.customer_ref is None):
            raise ValueError("Name the customer by customer_id or by customer_ref (exactly one).")
        return self


class SignalBatch(Input):
    """Up to 1,000 signals at once."""

    signals: list[SignalIn] = Field(min_length=1, max_length=MAX_BATCH)


def _one_or_batch(value: Any) -> str:
    return "<batch>" if isinstance(value, dict) and "signals" in value else "<signal>"


SignalsIn = Annotated[
    Annotated[SignalIn, Tag("<signal>")] | Annotated[SignalBatch, Tag("<batch>")],
    Discriminator(_one_or_batch),
]


class SignalAccepted(Output):
    """One signal as taken in: `duplicate` when its external id was seen before (nothing new stored)."""

    id: uuid.UUID
    external_id: str | None
    duplicate: bool
    customer_id: uuid.UUID | None
    state: SignalState


class SignalsAccepted(Output):
    """What a POST took in, in the order sent."""

    accepted: int
    duplicates: int
    items: list[SignalAccepted]


class FiringRead(Output):
    """What one rule did (or will do, or did not do) for one signal."""

    rule_id: uuid.UUID
    rule_key: str
    state: FiringState
    due_at: datetime | None
    fired_at: datetime | None
    case_id: uuid.UUID | None
    reason: str | None
    error: str | None


class SignalRead(Output):
    """A signal with what the rules made of it."""

    id: uuid.UUID
    type: str
    source: str
    external_id: str | None
    customer_id: uuid.UUID | None
    customer_ref: CustomerRefIn | None
    occurred_at: datetime
    received_at: datetime
    attributes: dict[str, Any]
    state: SignalState
    evaluated_at: datetime | None
    firings: list[FiringRead]


class SourceIn(Input):
    """How a source's webhook bodies become signals: JSON paths ('$.a.b[0]') or fixed values."""

    mapping: "MappingIn"


class MappingIn(Input):
    """Each field is a JSON path into the webhook body (starting with '$') or a fixed value."""

    type: str = Field(min_length=1, max_length=200, description="'$.event' or a fixed type")
    type_map: dict[str, str] = Field(
        default_factory=dict, description="The source's event names -> Attent signal types"
    )
    customer_ref: str = Field(min_length=1, max_length=200, description="e.g. '$.customer.number'")
    customer_ref_system: str = Field(pattern=REF_SYSTEM, description="e.g. 'shop'")
    occurred_at: str = Field(min_length=1, max_length=200)
    external_id: str = Field(min_length=1, max_length=200)
    attributes: dict[str, str] = Field(default_factory=dict, description="attribute -> JSON path")


class SourceRead(Output):
    """A webhook source: where to post, its mapping, and the recent refusals."""

    name: str
    url_path: str
    mapping: dict[str, Any]
    secret: str | None = Field(default=None, description="Only in the answer that (re)creates the secret.")
    created_at: datetime
    updated_at: datetime
    rejections: list["RejectionRead"]


class RejectionRead(Output):
    """A refused webhook: when, why, from where."""

    at: datetime
    reason: str
    remote: str | None
    body_bytes: int


class RuleStatus(Output):
    """A rule's run-time state next to its definition."""

    id: uuid.UUID
    key: str
    active: bool
    paused_at: datetime | None
    error: str | None
    counts: dict[str, int]


class DryRunLine(Output):
    """What the rule would have done for one past signal."""

    signal_id: uuid.UUID
    signal_type: str
    occurred_at: datetime
    customer_id: uuid.UUID | None
    outcome: str
    reason: str | None
    waits_until: datetime | None = Field(default=None, description="Quiet hours: when the message would go.")
    due_at: datetime | None
    actions: list[str]


class DryRun(Output):
    """A rule over past signals, nothing written."""

    rule_key: str
    since: datetime
    signals_seen: int
    would_fire: int
    held: int
    lines: list[DryRunLine]


SourceIn.model_rebuild()
SourceRead.model_rebuild()
