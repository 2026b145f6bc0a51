"""The timeline events recovery writes: gestures offered, decided and given, and check-ins."""

from dataclasses import dataclass
from typing import Any

from attent.timeline import Kind, kind, stored


@dataclass(frozen=True, kw_only=True)
class GestureEvent(Kind):
    """Something that happened to one gesture, carrying what was offered (its name in both languages)."""

    gesture_id: str
    code: str
    gesture_kind: str
    gesture_name: dict[str, Any] = stored("name", None)  # noqa: RUF009 (a dataclasses.field)
    cost_cents: int = 0
    currency: str = "EUR"
    occasion: str | None = None
    source: str | None = None


@kind("gesture.suggested")
@dataclass(frozen=True, kw_only=True)
class GestureSuggested(GestureEvent):
    """The policy suggests this gesture; an agent offers or declines it."""

    reason: str | None = None


@kind("gesture.approval_requested")
@dataclass(frozen=True, kw_only=True)
class GestureApprovalRequested(GestureEvent):
    """Waiting for a lead's approval (over budget, or a surprise moment)."""

    reason: str | None = None


@kind("gesture.granted")
@dataclass(frozen=True, kw_only=True)
class GestureGranted(GestureEvent):
    """Given, by an agent within the budget; with the promise to the customer that it was given."""

    over_budget: bool = False
    promise_id: str | None = None


@kind("gesture.approved")
@dataclass(frozen=True, kw_only=True)
class GestureApproved(GestureEvent):
    """Approved by a lead and given."""

    over_budget: bool = False
    promise_id: str | None = None


@kind("gesture.declined")
@dataclass(frozen=True, kw_only=True)
class GestureDeclined(GestureEvent):
    """Not given, and why."""

    reason: str | None = None


@kind("gesture.done")
@dataclass(frozen=True, kw_only=True)
class GestureDone(GestureEvent):
    """Delivered to the customer."""


@kind("gesture.survey")
@dataclass(frozen=True, kw_only=True)
class GestureSurvey(GestureEvent):
    """What the customer thought of it (1-5)."""

    score: int | None = None


@kind("gesture.outcome")
@dataclass(frozen=True, kw_only=True)
class GestureOutcome(Kind):
    """Whether the customer came back with the same trouble within the outcome window."""

    gesture_id: str
    code: str
    repeat_contact: bool
    repeat_contact_at: str | None = None


@kind("check_in.scheduled")
@dataclass(frozen=True, kw_only=True)
class CheckInScheduled(Kind):
    """A check-in with the customer is planned: a task for an agent or a message."""

    check_in_id: str
    mode: str
    due_at: str
    note: str | None = None
    source: str | None = None


@kind("check_in.skipped")
@dataclass(frozen=True, kw_only=True)
class CheckInSkipped(Kind):
    """Not done, and why (the customer came back already)."""

    check_in_id: str
    reason: str


@kind("check_in.done")
@dataclass(frozen=True, kw_only=True)
class CheckInDone(Kind):
    """Done: the task's promise made, or the message queued."""

    check_in_id: str
    mode: str
    note: str | None = None
    promise_id: str | None = None
