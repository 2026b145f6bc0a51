"""Playbooks as the API shows and accepts them."""

import uuid
from datetime import datetime
from typing import Literal

from pydantic import Field

from attent.core.schemas import Bilingual, Input, Output
from attent.promises import STEP_TYPE, PromiseCreate

MAX_STEPS = 50


class PlaybookStepIn(Input):
    """One step as an admin writes it; `step_type` defaults to the key."""

    key: str = Field(pattern=STEP_TYPE, description="Unique within the playbook, e.g. 'trace_shipment'.")
    title: Bilingual = Field(description="What the agent does.")
    narration: Bilingual = Field(description="What the agent says meanwhile, so there is no silence.")
    step_type: str | None = Field(
        default=None,
        pattern=STEP_TYPE,
        description="Links the step to learned step durations (step promises with this step_type); "
        "defaults to the key.",
    )
    default_minutes: int = Field(gt=0, le=1440, description="Expected duration until enough is learned.")


class PlaybookIn(Input):
    """The whole playbook of a case type: 1 to 50 ordered steps."""

    steps: list[PlaybookStepIn] = Field(min_length=1, max_length=MAX_STEPS)


class Expected(Output):
    """How long a step takes: the learned median-to-p80 range, or the configured default."""

    low_minutes: int
    high_minutes: int
    source: Literal["learned", "default"]
    observations: int


class PlaybookStepRead(Output):
    """A step and how long it is expected to take."""

    key: str
    title: Bilingual
    narration: Bilingual
    step_type: str
    default_minutes: int
    expected: Expected


class PlaybookRead(Output):
    """The steps of one case type, in order."""

    case_type: str
    steps: list[PlaybookStepRead]
    updated_at: datetime
    updated_by_id: uuid.UUID | None


class StepStart(Input):
    """Start a playbook step on a case."""

    step: str = Field(pattern=STEP_TYPE, description="The step's key.")


class StepStarted(Output):
    """What to say now, how long it takes, and for a step over a minute, the promise to offer."""

    step: str
    title: str
    narration: str = Field(description="In the agent's language.")
    step_type: str
    expected: Expected
    offer: PromiseCreate | None = Field(
        description="A step promise to make with POST /cases/{id}/promises if the customer waits; "
        "its words are in the customer's language. Attent does not make it by itself."
    )
