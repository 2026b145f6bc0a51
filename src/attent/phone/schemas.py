"""The generic call event format the telephone system posts, and the phone line's API bodies.

Every event names its call (`call_id`, the telephone system's id) and its place in the call
(`sequence`: 0 for the call's first event, one more for each next one, transcripts included), so a
repeat is recognised and events arriving out of order are put back in order.
"""

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import Field

from attent.core.moments import Moment
from attent.core.schemas import Input, Output

MAX_EVENTS = 1000
CallId = Annotated[str, Field(min_length=1, max_length=100, pattern=r"^[\x21-\x7e]+$")]
Who = Annotated[str, Field(min_length=1, max_length=254, description="An agent's e-mail or extension.")]
Number = Annotated[str, Field(max_length=64, description="As the telephone system writes it.")]


class _Event(Input):
    call_id: CallId
    sequence: int = Field(ge=0, le=1_000_000)
    at: Moment


class _CallEvent(_Event):
    """What any event of the call may say about it (the first one to arrive may not be `ringing`)."""

    from_: Number | None = Field(default=None, alias="from")
    to: Number | None = None
    queue: str | None = Field(default=None, max_length=100)
    direction: Literal["inbound", "outbound"] | None = None


class Ringing(_CallEvent):
    """The call reached us and waits, in `queue`, ringing for `agent` if the system chose one."""

    type: Literal["ringing"]
    agent: Who | None = None


class Answered(_CallEvent):
    """An agent took the call."""

    type: Literal["answered"]
    agent: Who | None = None


class Transferred(_CallEvent):
    """The call went on to another agent (e-mail or extension) or an outside number."""

    type: Literal["transferred"]
    target: Who = Field(description="The agent (e-mail or extension) or number it went to.")


Cause = Literal["normal", "network", "error", "timeout", "busy", "no_answer", "rejected"]


class Ended(_CallEvent):
    """The call is over: who hung up (caller, agent, or the system), why, and how long it lasted."""

    type: Literal["ended"]
    hangup_by: Literal["caller", "agent", "system"] | None = None
    cause: Cause = "normal"
    duration: int | None = Field(default=None, ge=0, le=86_400, description="Seconds since answered.")


class TranscriptLine(Input):
    """One line of speech-to-text: who spoke, what, when."""

    speaker: Literal["customer", "agent"]
    text: str = Field(min_length=1, max_length=20_000)
    at: Moment | None = None


class Transcript(_Event):
    """The call's speech-to-text, usually after it ended."""

    type: Literal["transcript"]
    lines: list[TranscriptLine] = Field(min_length=1, max_length=2000)


PhoneEvent = Annotated[Ringing | Answered | Transferred | Ended | Transcript, Field(discriminator="type")]


class EventResult(Output):
    """What became of one event: kept (`queued`, done right after the answer) or a repeat (`duplicate`,
    already kept). What a call became is in GET /api/v1/phone/calls/{call id}."""

    call_id: str
    sequence: int
    result: Literal["queued", "duplicate"]


class EventsAccepted(Output):
    """The answer to a post of events."""

    accepted: int
    duplicates: int
    queued: int
    items: list[EventResult]


class PhoneLineIn(Input):
    """The phone line's settings (admins)."""

    provider: Literal["generic", "twilio"] = "generic"
    twilio_auth_token: str | None = Field(
        default=None, min_length=8, max_length=200, description="Twilio's auth token, which signs its calls."
    )
    abandoned_after_seconds: int = Field(default=30, ge=0, le=3600)
    region: str = Field(default="NL", pattern=r"^[A-Z]{2}$", description="How national numbers are read.")
    queues: dict[Annotated[str, Field(max_length=100)], uuid.UUID] = Field(
        default_factory=dict, description="Queue name → the team whose cases its calls open."
    )
    extensions: dict[Annotated[str, Field(max_length=40)], uuid.UUID] = Field(
        default_factory=dict, description="Extension → agent."
    )


class PhoneLineRead(Output):
    """The phone line; `secret` only when new or rotated."""

    url_path: str
    provider: str
    has_twilio_auth_token: bool
    abandoned_after_seconds: int
    region: str
    queues: dict[str, Any]
    extensions: dict[str, Any]
    secret: str | None = None
    created_at: datetime
    updated_at: datetime
    rejections: list[dict[str, Any]] = []


class CallRead(Output):
    """A call and what Attent made of it."""

    call_id: str = Field(validation_alias="call_ref")
    direction: str | None
    caller: str | None
    number: str | None
    queue: str | None
    customer_id: uuid.UUID | None
    case_id: uuid.UUID | None
    contact_id: uuid.UUID | None
    agent_id: uuid.UUID | None
    ringing_at: datetime | None
    answered_at: datetime | None
    ended_at: datetime | None
    settled_at: datetime | None
    outcome: str | None
    promise_id: uuid.UUID | None
    problems: dict[str, Any]
