"""Cases: one customer need from first contact to resolution."""

# What other domains may use besides `service`: the vocabulary of this domain's rows and bodies,
# and the kinds of timeline events it writes.
from attent.cases.bulk import BatchRefused, BulkAction
from attent.cases.events import CaseFinishing, CasesMerged
from attent.cases.keys import rewrite_keys
from attent.cases.kinds import (
    CaseAssigned,
    CaseAutoAssigned,
    CaseCreated,
    CaseMerged,
    CaseMergedInto,
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

# Cases the customer opens themselves (a call, the web form): the domain's door for them, beside `service`.
from attent.cases.opening import open_case_of, open_customer_case
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
    "CaseMerged",
    "CaseMergedInto",
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
    "CasesMerged",
    "KeepChoice",
    "Note",
    "NoteAdded",
    "Priority",
    "PromiseChoice",
    "Tag",
    "TagRead",
    "TeamAssignment",
    "open_case_of",
    "open_customer_case",
    "rewrite_keys",
]
