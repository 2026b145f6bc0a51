"""Imports every domain's jobs module so the worker knows all handlers and timed steps."""

from attent.agents.jobs import end_shifts
from attent.channels.jobs import deliver_due_messages
from attent.coach.jobs import score_ended_contacts
from attent.core import live  # noqa: F401 (changes the worker makes reach open pages)
from attent.core.worker import TIMED_STEPS
from attent.promises import handover  # noqa: F401 (registers the presence hook)
from attent.promises.jobs import advance_due_promises
from attent.recovery.jobs import advance_recovery
from attent.signals.jobs import evaluate_signals, run_due_firings

# Shifts end before promises move (so hand-over sees who is gone); signals are evaluated and delayed
# rules run next, then recovery's check-ins (rules schedule them; they make promises and messages); the
# coach scores ended contacts (its promises too); messages go out last, so they leave in the same tick.
TIMED_STEPS[:] = [
    end_shifts,
    advance_due_promises,
    evaluate_signals,
    run_due_firings,
    advance_recovery,
    score_ended_contacts,
    deliver_due_messages,
]
