"""The timeline events the cases domain writes (see `attent.timeline.kinds`)."""

from dataclasses import dataclass

from attent.timeline import Kind, Say, kind, stored


@kind("case.created")
@dataclass(frozen=True, kw_only=True)
class CaseCreated(Kind):
    """A case was opened, with what it was opened with (the brief reads its description and next step)."""

    subject: str | None
    description: str | None
    type: str | None
    priority: str
    owner_id: str | None
    team_id: str | None
    next_step: str | None
    source: str | None = None  # the signal or rule that opened it, for proactive cases


@kind("case.status_changed", visible=True)
@dataclass(frozen=True, kw_only=True)
class CaseStatusChanged(Kind):
    """The case moved from one status to another, and why when the system moved it."""

    from_: str = stored("from", "")
    to: str = ""
    reason: str | None = None

    def detail(self, say: Say) -> str:
        moved = f"{say(self.from_)} → {say(self.to)}"
        return f"{moved} ({say(self.reason)})" if self.reason else moved


@dataclass(frozen=True, kw_only=True)
class FieldChanged(Kind):
    """One field of the case changed: which, from what, to what (ids as text)."""

    field: str
    from_: str | None = stored("from")
    to: str | None = None


@kind("case.updated")
@dataclass(frozen=True, kw_only=True)
class CaseUpdated(FieldChanged):
    """The subject or type changed."""


@kind("case.priority_changed")
@dataclass(frozen=True, kw_only=True)
class CasePriorityChanged(FieldChanged):
    """The priority changed."""


@kind("case.assigned")
@dataclass(frozen=True, kw_only=True)
class CaseAssigned(FieldChanged):
    """The owner changed (`to` is the new owner's id, or None: nobody)."""


@kind("case.team_changed")
@dataclass(frozen=True, kw_only=True)
class CaseTeamChanged(FieldChanged):
    """The team changed."""


@kind("case.next_step_set")
@dataclass(frozen=True, kw_only=True)
class CaseNextStepSet(FieldChanged):
    """An agent wrote down the next step (the brief shows it first)."""


@kind("note.added")
@dataclass(frozen=True, kw_only=True)
class NoteAdded(Kind):
    """An internal note for colleagues; never shown to the customer."""

    note_id: str
    text: str


@kind("case.tagged")
@dataclass(frozen=True, kw_only=True)
class CaseTagged(Kind):
    """A tag was put on the case."""

    tag: str

    def detail(self, say: Say) -> str:
        return self.tag


@kind("case.untagged")
@dataclass(frozen=True, kw_only=True)
class CaseUntagged(Kind):
    """A tag was taken off the case."""

    tag: str

    def detail(self, say: Say) -> str:
        return self.tag


@kind("case.auto_assigned")
@dataclass(frozen=True, kw_only=True)
class CaseAutoAssigned(Kind):
    """The team's automatic assignment gave the case to an agent (`mode`: fewest_open or round_robin);
    `from_` is the owner it had, when it came back from an owner who went offline."""

    to: str
    mode: str
    from_: str | None = stored("from")

    def detail(self, say: Say) -> str:
        return say(f"assignment_{self.mode}")


@kind("case.merged")
@dataclass(frozen=True, kw_only=True)
class CaseMerged(Kind):
    """Another case was merged into this one: its contacts, messages, promises, notes, tags and timeline
    are here now (`from_` is its id, `subject` its subject)."""

    from_: str = stored("from", "")
    subject: str = ""

    def detail(self, say: Say) -> str:
        return self.subject


@kind("case.merged_into")
@dataclass(frozen=True, kw_only=True)
class CaseMergedInto(Kind):
    """This case was merged into another (`into`); it stays as a pointer to it."""

    into: str
