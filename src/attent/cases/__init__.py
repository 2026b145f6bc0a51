"""Cases: one customer need from first contact to resolution."""

# What other domains may use besides `service`: the vocabulary of this domain's rows and bodies,
# and the kinds of timeline events it writes.
from attent.cases.events import CaseFinishing
from attent.cases.kinds import (
    CaseAssigned,
    CaseCreated,
    CaseNextStepSet,
    CasePriorityChanged,
    CaseStatusChanged,
    CaseTeamChanged,
    CaseUpdated,
    NoteAdded,
)
from attent.cases.models import Case, CaseStatus, CaseViewer, Note, Priority

# Cases the customer opens themselves (a call, the web form): the domain's door for them, beside `service`.
from attent.cases.opening import open_case_of, open_customer_case
from attent.cases.schemas import CASE_TYPE, CancelChoice, CaseCreate, CaseUpdate, KeepChoice, PromiseChoice

__all__ = [
    "CASE_TYPE",
    "CancelChoice",
    "Case",
    "CaseAssigned",
    "CaseCreate",
    "CaseCreated",
    "CaseFinishing",
    "CaseNextStepSet",
    "CasePriorityChanged",
    "CaseStatus",
    "CaseStatusChanged",
    "CaseTeamChanged",
    "CaseUpdate",
    "CaseUpdated",
    "CaseViewer",
    "KeepChoice",
    "Note",
    "NoteAdded",
    "Priority",
    "PromiseChoice",
    "open_case_of",
    "open_customer_case",
]
