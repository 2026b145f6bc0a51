"""Doing the events a post kept, right after its answer: one drainer per process, bursts coalesced.

Accepting an event is cheap on purpose (signature, one `INSERT … ON CONFLICT DO NOTHING` of the raw
events, commit): the telephone system gets its 202 in a few milliseconds, however busy the calls'
cases are. What the events mean (customer, case, contact, promise) is done after the answer has gone,
by whichever request of this process comes first: it takes every queued event in claimed batches
(`FOR UPDATE SKIP LOCKED`, so several processes share a burst) until none is left, while the requests
that arrive meanwhile only leave a mark that makes it look once more. So a live call is done within
milliseconds of its post (the incoming-call panel, the dropped call's promise), and a burst of 10,000
events is done in batches without holding up the posts behind it. The worker runs the same step
(`phone.jobs.take_queued_events`) for what a crash or a stopped process left.
"""

import logging
import threading

from attent.core.clock import Clock
from attent.core.db import Database
from attent.core.settings import Settings
from attent.phone.jobs import take_queued_events

log = logging.getLogger(__name__)
BATCH = 100  # events per transaction: small enough that a ringing behind a burst waits little


class Drain:
    """One per process: at most one thread does the queued events at a time, and none is forgotten."""

    def __init__(self) -> None:
        self._busy = threading.Lock()
        self._again = threading.Event()

    def run(self, *, database: Database, clock: Clock, settings: Settings) -> None:
        """Do every queued event; if another thread of this process is at it, leave it a mark instead.

        The mark is set before trying the lock and looked at after letting it go, so events committed
        while the busy thread was finishing are never left to the worker's next round.
        """
        self._again.set()
        while self._again.is_set():
            if not self._busy.acquire(blocking=False):
                return
            try:
                self._again.clear()
                while take_queued_events(database=database, now=clock.now(), limit=BATCH, settings=settings):
                    pass
            except Exception:  # the events stay queued: the worker (or the next post) does them
                log.exception("phone: doing queued call events failed")
                return
            finally:
                self._busy.release()


DRAIN = Drain()
