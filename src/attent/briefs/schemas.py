"""The handoff brief: what a colleague needs to know before saying hello."""

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel

from attent.cases import CaseStatus, Priority


class Need(BaseModel):
    """What the customer needs, in their own words where we have them."""

    text: str
    source: Literal["customer_message", "case_description", "subject"]
    at: datetime | None


class DoneItem(BaseModel):
    """One thing done on the case, by whom."""

    at: datetime
    kind: str
    actor_id: uuid.UUID | None
    actor_name: str
    summary: str


class OpenPromise(BaseModel):
    """A commitment still to keep (state open or at_risk), or one broken that still needs putting right."""

    promise_id: uuid.UUID
    kind: str
    due_at: datetime | None
    owner_id: uuid.UUID | None
    owner_name: str | None
    words: str | None
    state: str
    offered: bool = False  # its owner is gone or leaves before it is due: any teammate may take it
    summary: str


class Question(BaseModel):
    """Something the customer asked or wrote that nobody has answered yet."""

    at: datetime
    contact_id: uuid.UUID | None
    text: str


class NextStep(BaseModel):
    """What should happen next: set by an agent, or derived from what is open."""

    text: str
    source: Literal["agent", "derived"]
    set_by: str | None = None
    at: datetime | None = None


class EarlierCase(BaseModel):
    """A previous case of the same customer."""

    id: uuid.UUID
    subject: str
    status: CaseStatus
    type: str
    created_at: datetime


class CustomerContext(BaseModel):
    """Who the customer is, as far as they let us know; what answers a verification question is masked."""

    id: uuid.UUID
    name: str
    language: str
    facts: dict[str, str]
    external_refs: dict[str, str]
    earlier_cases: list[EarlierCase]
    earlier_case_count: int


class Verified(BaseModel):
    """How the customer was verified on this case: the question's label, never the answer."""

    by: str
    at: datetime
    actor_name: str
    summary: str


class CurrentStep(BaseModel):
    """The playbook step being done now, and how long it is expected to take."""

    key: str
    title: str
    started_at: datetime
    started_by: str
    low_minutes: int
    high_minutes: int
    summary: str


class GestureLine(BaseModel):
    """A recovery gesture on the case: what was given or offered, and what still waits for a decision."""

    gesture_id: uuid.UUID
    code: str
    name: str
    state: str
    summary: str


class Brief(BaseModel):
    """Derived from the timeline on every read, so it is never stale."""

    case_id: uuid.UUID
    subject: str
    status: CaseStatus
    priority: Priority
    type: str
    owner_id: uuid.UUID | None
    owner_name: str | None
    need: Need
    done: list[DoneItem]
    open_promises: list[OpenPromise]
    unanswered: list[Question]
    next_step: NextStep
    verified: Verified | None = None
    current_step: CurrentStep | None = None
    gestures: list[GestureLine] = []
    customer: CustomerContext
    contacts: int
    dropped_contacts: int
    as_of: datetime | None
    events: int
