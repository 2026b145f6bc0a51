"""Imports every domain's jobs module so the worker knows all handlers and timed steps."""

from attent.core.worker import TIMED_STEPS
from attent.promises import handover  # noqa: F401 (registers the presence hook)
from attent.promises.jobs import advance_due_promises

TIMED_STEPS[:] = [advance_due_promises]
