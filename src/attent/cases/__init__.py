"""Cases: one customer need from first contact to resolution."""

# What other domains may use besides `service`: the vocabulary of this domain's rows and bodies,
# and the kinds of timeline events it writes.
from attent.cases.bulk import BatchRefused, BulkAction
from attent.cases.events import CaseFinishing
from attent.cases.kinds import (
    CaseAssigned,
    CaseAutoAssigned,
    CaseCreated,
    CaseNextStepSet,
    CasePriorityChanged,
    CaseStatusChanged,
    CaseTagged,
    CaseTeamChanged,
    CaseUntagged,
    CaseUpdated,
    NoteAdded,
)
from attent.cases.models import (
    AssignmentMode,
    Case,
    CaseStatus,
    CaseTag,
    CaseViewer,
    Note,
    Priority,
    Tag,
    TeamAssignment,
)
from attent.cases.schemas import (
    CASE_TYPE,
    CancelChoice,
    CaseCreate,
    CaseRead,
    CaseUpdate,
    KeepChoice,
    PromiseChoice,
    TagRead,
)

__all__ = [
    "CASE_TYPE",
    "AssignmentMode",
    "BatchRefused",
    "BulkAction",
    "CancelChoice",
    "Case",
    "CaseAssigned",
    "CaseAutoAssigned",
    "CaseCreate",
    "CaseCreated",
    "CaseFinishing",
    "CaseNextStepSet",
    "CasePriorityChanged",
    "CaseRead",
    "CaseStatus",
    "CaseStatusChanged",
    "CaseTag",
    "CaseTagged",
    "CaseTeamChanged",
    "CaseUntagged",
    "CaseUpdate",
    "CaseUpdated",
    "CaseViewer",
    "KeepChoice",
    "Note",
    "NoteAdded",
    "Priority",
    "PromiseChoice",
    "Tag",
    "TagRead",
    "TeamAssignment",
]
