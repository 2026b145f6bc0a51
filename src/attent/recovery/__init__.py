"""Service recovery: gestures that turn a failure into a good moment, and check-ins after."""

# What other domains may use besides `service`: the vocabulary of this domain's rows and bodies,
# and the kinds of timeline events it writes.
from attent.recovery.kinds import (
    CheckInDone,
    CheckInScheduled,
    CheckInSkipped,
    GestureApprovalRequested,
    GestureApproved,
    GestureDeclined,
    GestureDone,
    GestureGranted,
    GestureOutcome,
    GestureSuggested,
    GestureSurvey,
)
from attent.recovery.models import CheckIn, Gesture, GestureKind
from attent.recovery.schemas import CatalogueGesture, GestureOffer

__all__ = [
    "CatalogueGesture",
    "CheckIn",
    "CheckInDone",
    "CheckInScheduled",
    "CheckInSkipped",
    "Gesture",
    "GestureApprovalRequested",
    "GestureApproved",
    "GestureDeclined",
    "GestureDone",
    "GestureGranted",
    "GestureKind",
    "GestureOffer",
    "GestureOutcome",
    "GestureSuggested",
    "GestureSurvey",
]
