"""The timeline events the promise keeper writes (see `attent.timeline.kinds`)."""

from dataclasses import dataclass

from attent.timeline import Kind, kind, stored


@dataclass(frozen=True, kw_only=True)
class PromiseEvent(Kind):
    """Something that happened to one promise; `promise_kind` is its kind (callback, delivery, …)."""

    promise_id: str
    promise_kind: str = stored("kind", "")


@kind("promise.made", visible=True)
@dataclass(frozen=True, kw_only=True)
class PromiseMade(PromiseEvent):
    """A commitment to the customer: by when (or in which window), who keeps it, the words used."""

    due_by: str
    due_from: str | None = None
    owner_id: str | None = None
    team_id: str | None = None
    words: str | None = None
    source: str | None = None
    step_type: str | None = None


@kind("promise.kept", visible=True)
@dataclass(frozen=True, kw_only=True)
class PromiseKept(PromiseEvent):
    """The customer was reached as promised: `how` (by an agent, a reply, a call) and whether late."""

    how: str | None = None
    late: bool = False


@kind("promise.reopened")
@dataclass(frozen=True, kw_only=True)
class PromiseReopened(PromiseEvent):
    """A kept promise is owed again: what kept it did not reach the customer (a reply that bounced).
    Carries what the brief needs to show it open again."""

    reason: str | None = None
    due_by: str
    owner_id: str | None = None
    words: str | None = None


@kind("promise.cancelled")
@dataclass(frozen=True, kw_only=True)
class PromiseCancelled(PromiseEvent):
    """Called off, with the reason."""

    reason: str | None = None


@kind("promise.reassigned")
@dataclass(frozen=True, kw_only=True)
class PromiseReassigned(PromiseEvent):
    """Handed from one owner or team to another, and why."""

    reason: str | None = None
    from_owner_id: str | None = None
    owner_id: str | None = None
    from_team_id: str | None = None
    team_id: str | None = None


@kind("promise.offered")
@dataclass(frozen=True, kw_only=True)
class PromiseOffered(PromiseEvent):
    """Its owner is gone, or leaves before it is due: offered to the team, saying why."""

    owner_id: str | None = None
    presence: str | None = None
    available_until: str | None = None


@dataclass(frozen=True, kw_only=True)
class PromiseTransition(PromiseEvent):
    """The worker saw the promise pass a moment: `at` on the timeline is that moment, `noticed_at` when
    the worker saw it."""

    owner_id: str | None = None
    due_by: str = ""
    noticed_at: str = ""


@kind("promise.at_risk")
@dataclass(frozen=True, kw_only=True)
class PromiseAtRisk(PromiseTransition):
    """Its warning time passed while it was still open."""


@kind("promise.broken")
@dataclass(frozen=True, kw_only=True)
class PromiseBroken(PromiseTransition):
    """Its grace time passed while it was still open."""
