"""Playbooks: guided steps per case type, with what to say and how long each takes."""

# What other domains may use besides `service`: the vocabulary of this domain's rows and bodies,
# and the kinds of timeline events it writes.
from attent.playbooks.kinds import StepStartedEvent
from attent.playbooks.models import Playbook, PlaybookStep
from attent.playbooks.schemas import PlaybookIn, PlaybookStepIn, StepStart, StepStarted

__all__ = [
    "Playbook",
    "PlaybookIn",
    "PlaybookStep",
    "PlaybookStepIn",
    "StepStart",
    "StepStarted",
    "StepStartedEvent",
]
