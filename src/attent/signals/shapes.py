"""The rules document's shapes: a rule, its settings and each action, as pydantic models.

`rulebook` parses a document against these and points each error at its field; the engine and the
actions read the settings and the action models themselves.
"""

import re
import uuid
from datetime import timedelta
from typing import Any, Literal

from pydantic import BaseModel, Field

from attent.cases import CASE_TYPE, Priority
from attent.core.schemas import Input
from attent.promises import PromiseKind
from attent.signals.schemas import SOURCE_NAME
from attent.signals.types import Kind

RULE_KEY = r"^[a-z0-9][a-z0-9_-]{0,59}$"
MAX_RULES = 500
MAX_NODES = 50_000  # YAML aliases can make a small text a huge tree; nobody writes rules this big
_DURATION = re.compile(r"^([1-9][0-9]{0,4})([mhdw])$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
CLOCK = re.compile(r"^([01][0-9]|2[0-3]):([0-5][0-9])$")
Path = tuple[str | int, ...]


def duration(text: str) -> timedelta:
    """'30m', '12h', '3d', '2w' as a timedelta (at most a year), or ValueError."""
    match = _DURATION.match(text) if isinstance(text, str) else None
    if match is None:
        raise ValueError("Write a duration as a number and a unit: 30m, 12h, 3d or 2w.")
    delta = timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})
    if delta > timedelta(days=366):
        raise ValueError("At most a year.")
    return delta


class FrequencyCap(Input):
    """At most `max_contacts` proactive contacts per customer in `days` days, across all rules."""

    max_contacts: int = Field(default=2, ge=1, le=100)
    days: int = Field(default=7, ge=1, le=365)


class QuietHours(Input):
    """No messages between `start` and `end` in the customer's time zone; they wait, not drop."""

    start: str = Field(default="21:00", pattern=CLOCK.pattern)
    end: str = Field(default="08:00", pattern=CLOCK.pattern)


class RuleSettings(Input):
    """Guard rails for all of the organisation's rules."""

    frequency_cap: FrequencyCap = Field(default_factory=FrequencyCap)
    quiet_hours: QuietHours | None = Field(default_factory=QuietHours)


class SignalTypeIn(Input):
    """An organisation's own signal type and the attributes rules may test."""

    attributes: dict[str, Kind] = Field(default_factory=dict)


class When(Input):
    """The trigger: a signal type, and optionally how long after the signal the rule acts."""

    signal: str = Field(min_length=3, max_length=80)
    after: str | None = None


class Condition(Input):
    """`field op value`, e.g. signal.arrives_at local_time_after 21:00."""

    field: str = Field(min_length=1, max_length=120)
    op: Literal[
        "eq", "ne", "in", "not_in", "gt", "gte", "lt", "lte", "exists", "missing",
        "local_time_after", "local_time_before", "falls_between",
    ]  # fmt: skip
    value: Any = None


class RuleIn(Input):
    """One rule as written."""

    key: str = Field(pattern=RULE_KEY)
    name: str = Field(min_length=1, max_length=200)
    active: bool = True
    when: When
    if_: list[Condition] = Field(default_factory=list, alias="if", max_length=20)
    then: list[dict[str, Any]] = Field(min_length=1, max_length=10)
    state: dict[str, Any] | None = Field(default=None, description="Read-only; ignored when saved.")

    model_config = {"populate_by_name": True}


class OpenCase(Input):
    """Open a proactive case; `resolved: true` keeps it as a record only (a reply reopens it)."""

    do: Literal["open_case"]
    subject: str = Field(min_length=1, max_length=300)
    note: str | None = Field(default=None, max_length=5000)
    type: str = Field(default="proactive", pattern=CASE_TYPE)
    priority: Priority = Priority.NORMAL
    team_id: uuid.UUID | None = None
    resolved: bool = False


class MakePromise(Input):
    """Promise the customer something on the rule's case, owned by the case's team."""

    do: Literal["make_promise"]
    kind: PromiseKind
    due_in: str
    words: str | None = Field(default=None, max_length=500)


class SendMessage(Input):
    """Send the customer a message from templates/messages/<nl|en>/<template>.txt."""

    do: Literal["send_message"]
    template: str = Field(pattern=r"^[a-z][a-z0-9_]{0,59}$")


class CallWebhook(Input):
    """POST the signal to another system, signed with the named source's shared secret."""

    do: Literal["call_webhook"]
    url: str = Field(pattern=r"^https?://[^\s]+$", max_length=500)
    source: str = Field(pattern=SOURCE_NAME)
    body: dict[str, Any] = Field(default_factory=dict)


class SuggestGesture(Input):
    """Suggest a recovery gesture, or a surprise for a happy occasion, for a lead to approve."""

    do: Literal["suggest_gesture"]
    reason: str = Field(min_length=1, max_length=500)
    occasion: str | None = Field(default=None, max_length=60)
    gesture: str | None = Field(default=None, max_length=60)


class ScheduleCheckIn(Input):
    """A check-in with the customer some time after the signal, as a task or a message."""

    do: Literal["schedule_check_in"]
    after: str
    mode: Literal["task", "message"] = "task"
    note: str = Field(min_length=1, max_length=500)


Action = OpenCase | MakePromise | SendMessage | CallWebhook | SuggestGesture | ScheduleCheckIn
ACTIONS: dict[str, type[Action]] = {
    m.model_fields["do"].annotation.__args__[0]: m  # type: ignore[union-attr]
    for m in (OpenCase, MakePromise, SendMessage, CallWebhook, SuggestGesture, ScheduleCheckIn)
}


def typed_action(stored: dict[str, Any]) -> Action:
    """A stored action as its model, defaults filled in: one place says what an action holds."""
    return ACTIONS[stored["do"]].model_validate(stored)


NEEDS_CASE = {"make_promise", "send_message"}
CONTACTS = {"open_case", "send_message", "schedule_check_in"}  # what counts towards the frequency cap


class Rulebook(BaseModel):
    """A validated document, normalised."""

    settings: RuleSettings
    signal_types: dict[str, SignalTypeIn]
    rules: list[dict[str, Any]]
