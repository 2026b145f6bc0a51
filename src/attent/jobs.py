"""Imports every domain's jobs module so the worker knows all handlers and timed steps."""

from attent.agents.jobs import end_shifts
from attent.channels.jobs import deliver_due_messages
from attent.coach.jobs import score_ended_contacts
from attent.core import live  # noqa: F401 (changes the worker makes reach open pages)
from attent.core.worker import TIMED_STEPS
from attent.promises import handover  # noqa: F401 (registers the presence hook)
from attent.promises.jobs import advance_due_promises
from attent.recovery.jobs import advance_recovery

# Shifts end before promises move (so hand-over sees who is gone); recovery's check-ins make promises and
# messages; the coach scores ended contacts (its promises too); messages go out last, same tick.
TIMED_STEPS[:] = [
    end_shifts,
    advance_due_promises,
    advance_recovery,
    score_ended_contacts,
    deliver_due_messages,
]
