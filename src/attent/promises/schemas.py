"""Promises as the API shows and accepts them."""

import uuid
from datetime import datetime
from typing import Literal

from pydantic import Field, StrictBool, field_validator, model_validator

from attent.core.errors import BadValue
from attent.core.moments import Moment
from attent.core.schemas import Input, Output
from attent.promises.models import PromiseKind, PromiseSource, PromiseState

STEP_TYPE = r"^[a-z][a-z0-9_]{0,59}$"


class PromiseCreate(Input):
    """A commitment: a due time (`due_at`) or a window (`due_from` to `due_by`), and the words said.

    A step promise may leave the time out: it then gets the range its step type usually takes.
    """

    kind: PromiseKind
    due_at: Moment | None = None
    due_from: Moment | None = None
    due_by: Moment | None = None
    owner_id: uuid.UUID | None = Field(default=None, description="Defaults to the agent making the promise.")
    words: str | None = Field(default=None, max_length=2000, description="What was said to the customer.")
    tell_customer: StrictBool | None = Field(
        default=None,
        description="Send the customer a message about it; by default the organisation's choice.",
    )
    step_type: str | None = Field(default=None, pattern=STEP_TYPE)

    @model_validator(mode="after")
    def _one_due_time(self) -> "PromiseCreate":
        if self.due_at is not None and (self.due_from is not None or self.due_by is not None):
            raise ValueError("give either due_at, or a window due_from and due_by, not both")
        untimed_step = self.kind is PromiseKind.STEP and self.due_from is None
        if self.due_at is None and self.due_by is None and not untimed_step:
            raise ValueError("a promise needs a due time: due_at, or a window due_from and due_by")
        if self.due_from is not None and self.due_by is not None and self.due_by < self.due_from:
            raise ValueError("the window ends (due_by) before it starts (due_from)")
        if self.kind is PromiseKind.STEP and self.step_type is None:
            raise ValueError("a step promise names its step_type, so Attent can learn how long it takes")
        return self

    @property
    def deadline(self) -> datetime | None:
        """The moment the promise must be kept by; None for a step promise that takes the learned range."""
        return self.due_at or self.due_by


class PromiseUpdate(Input):
    """Correct the recorded words; moving a due time is a new promise to the customer, so it is not here."""

    words: str | None = Field(default=None, max_length=2000)


class CancelBody(Input):
    """Why a promise no longer stands."""

    reason: str = Field(min_length=3, max_length=500)


class ReassignBody(Input):
    """Give a promise to a colleague or to a team."""

    owner_id: uuid.UUID | None = None
    team_id: uuid.UUID | None = None

    @model_validator(mode="after")
    def _someone(self) -> "ReassignBody":
        if self.owner_id is None and self.team_id is None:
            raise ValueError("name the new owner_id, the team_id, or both")
        return self


class PromiseRead(Output):
    """A promise."""

    id: uuid.UUID
    case_id: uuid.UUID
    customer_id: uuid.UUID
    kind: PromiseKind
    state: PromiseState
    source: PromiseSource
    at_risk: bool
    due_from: datetime | None
    due_by: datetime
    at_risk_at: datetime
    grace_until: datetime
    owner_id: uuid.UUID | None
    team_id: uuid.UUID | None
    words: str | None
    tell_customer: bool
    step_type: str | None
    contact_id: uuid.UUID | None
    made_by_id: uuid.UUID | None
    made_at: datetime
    closed_at: datetime | None
    closed_by_id: uuid.UUID | None
    close_reason: str | None


class PromiseSettings(Input):
    """An organisation's promise rules; anything left out takes Attent's default."""

    at_risk_minutes: dict[PromiseKind | Literal["default"], int] = Field(
        default_factory=dict,
        description="At most how long before the due time a promise turns at risk, per kind (and a "
        "default); a promise warns a quarter of its length ahead, at least 5 minutes, at most half of it.",
    )
    grace_minutes: int = Field(default=5, ge=0, le=1440)
    dropped_callback_minutes: int = Field(default=10, ge=1, le=1440)
    tell_customer: StrictBool = Field(
        default=False, description="Send customers messages about their promises."
    )

    @field_validator("at_risk_minutes")
    @classmethod
    def _sane_warnings(cls, value: dict[str, int]) -> dict[str, int]:
        for kind, minutes in value.items():
            if not 0 <= minutes <= 7 * 24 * 60:
                raise BadValue(
                    "{kind}: warn between 0 minutes and a week ahead, not {minutes}",
                    kind=kind,
                    minutes=minutes,
                )
        return value
