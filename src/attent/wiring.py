"""The one module that knows every domain: the worker's steps, the queue's handlers, and which domain
reacts to what another one says.

`app.py`, the CLI and the tests call `install()` (idempotent) before anything runs. A reader who wants
"what happens when a contact ends" or "what the worker does each tick" finds it here.
"""

from attent import models  # noqa: F401 (every table, so foreign keys resolve across domains)
from attent.agents import PresenceChanged
from attent.agents.jobs import end_shifts
from attent.channels.jobs import deliver_due_messages
from attent.coach.jobs import score_ended_contacts
from attent.core import events, live, queue
from attent.core.worker import TimedStep
from attent.promises import handover
from attent.promises.jobs import advance_due_promises
from attent.recovery.jobs import advance_recovery
from attent.signals.actions import WEBHOOK_JOB
from attent.signals.jobs import deliver_webhook, evaluate_signals, run_due_firings
from attent.timeline import TimelineEvent

# Shifts end before promises move (so hand-over sees who is gone); signals are evaluated and delayed
# rules run next, then recovery's check-ins (rules schedule them; they make promises and messages); the
# coach scores ended contacts (its promises too); messages go out last, so they leave in the same tick.
TIMED_STEPS: list[TimedStep] = [
    end_shifts,
    advance_due_promises,
    evaluate_signals,
    run_due_firings,
    advance_recovery,
    score_ended_contacts,
    deliver_due_messages,
]


def _case_page(event: TimelineEvent) -> str | None:
    """Every change to a case writes a timeline event: its page is the one to refresh."""
    return live.case_key(event.organisation_id, event.case_id) if event.case_id is not None else None


def install() -> None:
    """Subscribe every reaction and register every handler (again is harmless)."""
    queue.register(WEBHOOK_JOB, deliver_webhook)
    live.watch(TimelineEvent, _case_page)
    events.subscribe(PresenceChanged, handover.presence_changed)
    events.wired()


install()
