"""Cases: one customer need from first contact to resolution."""

# What other domains may use besides `service`: the vocabulary of this domain's rows and bodies.
from attent.cases.events import CaseFinishing
from attent.cases.models import Case, CaseStatus, CaseViewer, Note, Priority
from attent.cases.schemas import CASE_TYPE, CancelChoice, CaseCreate, CaseUpdate, KeepChoice, PromiseChoice

__all__ = [
    "CASE_TYPE",
    "CancelChoice",
    "Case",
    "CaseCreate",
    "CaseFinishing",
    "CaseStatus",
    "CaseUpdate",
    "CaseViewer",
    "KeepChoice",
    "Note",
    "Priority",
    "PromiseChoice",
]
