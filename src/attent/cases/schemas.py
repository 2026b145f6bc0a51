"""Cases and notes as the API shows and accepts them."""

import uuid
from datetime import datetime
from typing import Literal

from pydantic import Field, model_validator

from attent.cases.models import CaseStatus, Priority
from attent.core.schemas import Input, Output

CASE_TYPE = r"^[a-z][a-z0-9_]{0,59}$"


class CaseCreate(Input):
    """A new case for a customer; `description` is the need in the customer's own words."""

    customer_id: uuid.UUID
    subject: str = Field(min_length=1, max_length=300)
    description: str | None = Field(default=None, max_length=20_000)
    type: str = Field(default="general", pattern=CASE_TYPE)
    priority: Priority = Priority.NORMAL
    owner_id: uuid.UUID | None = None
    team_id: uuid.UUID | None = None
    next_step: str | None = Field(default=None, max_length=500)


class PromiseChoice(Input):
    """What happens to one open promise when its case is resolved or closed."""

    promise_id: uuid.UUID
    action: Literal["keep", "cancel", "hand_over"] = Field(
        description="keep: it was kept; cancel: it no longer stands (give the reason); hand_over: a "
        "colleague (owner_id) or a team (team_id; neither: the promise's own team) keeps it after the case."
    )
    reason: str | None = Field(default=None, min_length=3, max_length=500)
    owner_id: uuid.UUID | None = None
    team_id: uuid.UUID | None = None

    @model_validator(mode="after")
    def _complete(self) -> "PromiseChoice":
        if self.action == "cancel" and self.reason is None:
            raise ValueError("cancelling a promise needs the reason, for the customer's record")
        if self.action != "hand_over" and (self.owner_id is not None or self.team_id is not None):
            raise ValueError("owner_id and team_id say who takes a promise over; only for hand_over")
        return self


class CaseUpdate(Input):
    """Changes to a case; a status change must be a legal transition."""

    subject: str | None = Field(default=None, min_length=1, max_length=300)
    type: str | None = Field(default=None, pattern=CASE_TYPE)
    status: CaseStatus | None = None
    priority: Priority | None = None
    owner_id: uuid.UUID | None = None
    team_id: uuid.UUID | None = None
    next_step: str | None = Field(default=None, max_length=500)
    promises: list[PromiseChoice] = Field(
        default_factory=list,
        max_length=200,
        description="When moving to resolved or closed: what happens to each open promise of the case. "
        "Without a choice for every one the move is refused (409 open_promises).",
    )


class CaseRead(Output):
    """A case."""

    id: uuid.UUID
    customer_id: uuid.UUID
    subject: str
    description: str | None
    type: str
    status: CaseStatus
    priority: Priority
    owner_id: uuid.UUID | None
    team_id: uuid.UUID | None
    next_step: str | None
    created_at: datetime
    updated_at: datetime
    resolved_at: datetime | None


class NoteCreate(Input):
    """An internal note."""

    text: str = Field(min_length=1, max_length=20_000)


class NoteRead(Output):
    """An internal note."""

    id: uuid.UUID
    case_id: uuid.UUID
    author_id: uuid.UUID
    text: str
    created_at: datetime
