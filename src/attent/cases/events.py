"""What happens to cases that domains above this one must have a say in, subscribed in `attent.wiring`."""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from attent.agents import Agent
from attent.cases.models import Case, CaseStatus
from attent.cases.schemas import PromiseChoice


@dataclass(frozen=True)
class CaseFinishing:
    """A case is about to be resolved or closed: its open promises must be settled first, each as the
    caller chose (`choices`); the promise keeper refuses the change, naming them, until it is told."""

    case: Case
    to: CaseStatus
    actor: Agent | None
    choices: Sequence[PromiseChoice]
    at: datetime


@dataclass(frozen=True)
class CasesMerged:
    """Case `merged_id` was merged into `kept_id`: every domain points its rows of the one at the other."""

    organisation_id: uuid.UUID
    kept_id: uuid.UUID
    merged_id: uuid.UUID
    at: datetime
