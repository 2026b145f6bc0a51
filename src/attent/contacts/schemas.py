"""Contacts and messages as the API shows and accepts them."""

import uuid
from datetime import datetime
from typing import Annotated, Any

from pydantic import Discriminator, Field, Tag, ValidationInfo, field_validator, model_validator

from attent.contacts.models import Channel, Direction, Outcome, Speaker
from attent.core.errors import BadValue
from attent.core.moments import Moment
from attent.core.schemas import Input, Output

MAX_BATCH = 2000


class MessageIn(Input):
    """One turn: who said what, and when (defaults to now)."""

    speaker: Speaker
    text: str = Field(min_length=1, max_length=20_000)
    at: Moment | None = None


class MessageBatch(Input):
    """A whole transcript at once."""

    messages: list[MessageIn] = Field(min_length=1, max_length=MAX_BATCH)


def _one_or_batch(value: Any) -> str:
    return "<batch>" if isinstance(value, dict) and "messages" in value else "<message>"


MessagesIn = Annotated[
    Annotated[MessageIn, Tag("<message>")] | Annotated[MessageBatch, Tag("<batch>")],
    Discriminator(_one_or_batch),
]


class ContactCreate(Input):
    """A contact on a case; send `ended_at` and `outcome` together when it is over."""

    channel: Channel
    direction: Direction = Direction.INBOUND
    started_at: Moment | None = None
    ended_at: Moment | None = None
    outcome: Outcome | None = None
    agent_id: uuid.UUID | None = Field(default=None, description="Defaults to the agent making the request.")
    messages: list[MessageIn] = Field(default_factory=list, max_length=MAX_BATCH)

    @field_validator("ended_at")
    @classmethod
    def _ends_after_it_starts(cls, ended_at: datetime | None, info: ValidationInfo) -> datetime | None:
        started_at = info.data.get("started_at")
        if started_at and ended_at and ended_at < started_at:
            raise BadValue(
                "The contact cannot end before it started ({start}).", start=started_at.isoformat()
            )
        return ended_at

    @model_validator(mode="after")
    def _ended_with_outcome(self) -> "ContactCreate":
        if (self.ended_at is None) != (self.outcome is None):
            raise ValueError(
                "ended_at and outcome go together: give both when the contact is over, or neither"
            )
        return self


class ContactEnd(Input):
    """End a running contact."""

    ended_at: Moment | None = None
    outcome: Outcome


class ContactRead(Output):
    """A contact."""

    id: uuid.UUID
    case_id: uuid.UUID
    customer_id: uuid.UUID
    channel: Channel
    direction: Direction
    agent_id: uuid.UUID | None
    started_at: datetime
    ended_at: datetime | None
    outcome: Outcome | None


class MessageRead(Output):
    """A message."""

    id: uuid.UUID
    contact_id: uuid.UUID
    speaker: Speaker
    text: str
    at: datetime


class ContactWithMessages(ContactRead):
    """A contact with its transcript."""

    messages: list[MessageRead] = []
