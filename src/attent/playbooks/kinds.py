"""The timeline event playbooks write: a step was started, with how long it is expected to take."""

from dataclasses import dataclass
from typing import Any

from attent.timeline import Kind, kind


@kind("playbook.step_started")
@dataclass(frozen=True, kw_only=True)
class StepStartedEvent(Kind):
    """An agent started a playbook step (the brief shows it as the current step)."""

    case_type: str | None
    step: str
    title: dict[str, Any]
    step_type: str | None = None
    low_minutes: int | None = None
    high_minutes: int | None = None
    source: str | None = None
