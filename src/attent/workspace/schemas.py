"""The case queue and saved views as the API shows and accepts them."""

import uuid
from datetime import datetime
from typing import Any

from pydantic import Field

from attent.cases import CaseRead, CaseStatus
from attent.core.schemas import Input, Output


class QueueCaseRead(CaseRead):
    """A case as the queue lists it: with its customer's name, tags, next promise and waiting time."""

    reference: str
    customer_name: str
    tags: list[str]
    next_promise_due: datetime | None
    waiting_since: datetime | None


class ViewCreate(Input):
    """Save the queue's filters (query parameters, as `GET /cases` takes them) under a name."""

    name: str = Field(min_length=1, max_length=80)
    filters: dict[str, str | int | list[str]] = Field(default_factory=dict, max_length=20)
    team_id: uuid.UUID | None = Field(
        default=None, description="Share with this team (leads and admins); without it the view is yours."
    )


class ViewRead(Output):
    """A saved view, and how many cases are in it now."""

    id: uuid.UUID
    name: str
    team_id: uuid.UUID | None
    agent_id: uuid.UUID | None
    filters: dict[str, Any]
    count: int = 0


class CannedReplyIn(Input):
    """A canned reply: a name, the words in Dutch and/or English ({{customer.first_name}}, {{case.reference}},
    {{promise.due}}, {{agent.name}} …), and a team to share it with (leads) or none (yours)."""

    name: str = Field(min_length=1, max_length=120)
    text_nl: str = Field(default="", max_length=5_000)
    text_en: str = Field(default="", max_length=5_000)
    then_status: CaseStatus | None = Field(default=None, description="Sending it also moves the case here.")
    then_tag: str | None = Field(default=None, max_length=40, description="Sending it also adds this tag.")
    team_id: uuid.UUID | None = None


class CannedReplyRead(Output):
    """A canned reply."""

    id: uuid.UUID
    name: str
    team_id: uuid.UUID | None
    agent_id: uuid.UUID | None
    text_nl: str
    text_en: str
    then_status: str | None
    then_tag: str | None


class FilledReply(Output):
    """A canned reply filled in for one case, in its customer's language."""

    id: uuid.UUID
    name: str
    text: str
    then_status: str | None = None
    then_tag: str | None = None
