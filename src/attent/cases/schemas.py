"""Cases and notes as the API shows and accepts them."""

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import Discriminator, Field, Tag

from attent.cases.models import AssignmentMode, CaseStatus, Priority
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


class KeepChoice(Input):
    """The open promise was kept."""

    promise_id: uuid.UUID
    action: Literal["keep"]


class CancelChoice(Input):
    """The open promise no longer stands; the reason is kept with it."""

    promise_id: uuid.UUID
    action: Literal["cancel"]
    reason: str = Field(min_length=3, max_length=500)


class HandOverChoice(Input):
    """After the case, a colleague (`owner_id`) or a team (`team_id`; neither: its own team) keeps it."""

    promise_id: uuid.UUID
    action: Literal["hand_over"]
    owner_id: uuid.UUID | None = None
    team_id: uuid.UUID | None = None


def _action(value: Any) -> str:
    """The choice's tag, in <brackets> like every tag, so error paths name fields, not tags."""
    action = value.get("action") if isinstance(value, dict) else getattr(value, "action", None)
    return f"<{action}>"


# What happens to one open promise when its case is resolved or closed: keep, cancel or hand_over.
PromiseChoice = Annotated[
    Annotated[KeepChoice, Tag("<keep>")]
    | Annotated[CancelChoice, Tag("<cancel>")]
    | Annotated[HandOverChoice, Tag("<hand_over>")],
    Discriminator(
        _action,
        custom_error_type="invalid_action",
        custom_error_message="action is keep, cancel (with a reason) or hand_over",
    ),
]


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
    merged_into_id: uuid.UUID | None = None


class MergeIn(Input):
    """The case to merge this one into (of the same customer, not closed)."""

    into: uuid.UUID


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


class TagIn(Input):
    """A tag by name (trimmed, single-spaced and lower-cased as stored)."""

    name: str = Field(min_length=1, max_length=40)


class TagRead(Output):
    """A tag of the organisation's list, and on how many cases it is."""

    id: uuid.UUID
    name: str
    cases: int = 0


class BulkUpdate(Input):
    """One action on many cases: all of them change, or (a case refuses) none."""

    case_ids: list[uuid.UUID] = Field(min_length=1, max_length=1000)
    action: Literal["assign", "move_team", "status", "add_tag", "remove_tag"]
    owner_id: uuid.UUID | None = Field(default=None, description="assign: the new owner; none: nobody.")
    team_id: uuid.UUID | None = Field(default=None, description="move_team: the team.")
    status: CaseStatus | None = Field(default=None, description="status: the status to move to.")
    tag: str | None = Field(default=None, max_length=40, description="add_tag, remove_tag: the tag's name.")


class BulkResult(Output):
    """What a batch changed."""

    changed: int
    case_ids: list[uuid.UUID]


class AssignmentIn(Input):
    """How a team hands out new cases: off, fewest_open or round_robin; skip shifts ending this soon."""

    mode: AssignmentMode
    shift_margin_minutes: int = Field(default=30, ge=0, le=720)


class AvailableAgent(Output):
    """An agent who would be given a case now, and how many open cases they have."""

    agent_id: uuid.UUID
    name: str
    open_cases: int


class AssignmentRead(Output):
    """A team's automatic assignment, and who can take a case right now (fewest open cases first)."""

    team_id: uuid.UUID
    mode: AssignmentMode
    shift_margin_minutes: int
    available: list[AvailableAgent]
