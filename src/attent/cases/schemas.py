"""Cases and notes as the API shows and accepts them."""

import uuid
from datetime import datetime

from pydantic import Field

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


class CaseUpdate(Input):
    """Changes to a case; a status change must be a legal transition."""

    subject: str | None = Field(default=None, min_length=1, max_length=300)
    type: str | None = Field(default=None, pattern=CASE_TYPE)
    status: CaseStatus | None = None
    priority: Priority | None = None
    owner_id: uuid.UUID | None = None
    team_id: uuid.UUID | None = None
    next_step: str | None = Field(default=None, max_length=500)


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
