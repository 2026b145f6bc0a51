"""The worker: claims due jobs and does them; runs as `attent worker` or inside `attent serve`."""

import logging
import os
import socket
import threading
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from functools import partial
from typing import Protocol

from sqlalchemy import delete

from attent.core.clock import Clock
from attent.core.db import Database
from attent.core.idempotency import IdempotencyRecord
from attent.core.queue import run_due_jobs
from attent.core.setaside import forget_old_failures
from attent.core.settings import Settings

log = logging.getLogger(__name__)
KEEP_IDEMPOTENCY = timedelta(hours=24)
MAINTAIN_EVERY = timedelta(minutes=10)


class TimedStep(Protocol):
    """Set-based work over rows with due times (promise transitions, messages); returns how many moved.

    Each claims and does its rows through `attent.core.setaside.do_claimed`, so a row that keeps failing
    is set aside instead of failing every batch it is in."""

    def __call__(self, *, database: Database, now: datetime, limit: int, settings: Settings) -> int: ...


def worker_id() -> str:
    """Unique per process, readable in the jobs table."""
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident() % 10_000}"


class Worker:
    """Polls for due jobs until stopped; every unit of work is its own transaction.

    `steps` are the domains' timed steps in the order a tick runs them (`attent.wiring.TIMED_STEPS`);
    queued jobs go to the handlers registered with `attent.core.queue.register`."""

    def __init__(
        self,
        *,
        database: Database,
        clock: Clock,
        settings: Settings,
        poll_seconds: float = 1.0,
        batch: int = 20,
        step_batch: int = 500,
        steps: Sequence[TimedStep],
    ) -> None:
        self.database, self.clock, self.poll_seconds, self.batch = database, clock, poll_seconds, batch
        self.step_batch, self.settings, self.steps = step_batch, settings, list(steps)
        self.id = worker_id()
        self.stopping = threading.Event()
        self._last_maintenance: datetime | None = None

    def tick(self) -> int:
        """Do one batch of each timed step and of due jobs (and maintenance when it is time); returns
        how much was done. A step that fails is logged and the others still run: one step's trouble
        (or one organisation's) must not stop e-mail, promises and scoring for everyone."""
        now = self.clock.now()
        if self._last_maintenance is None or now - self._last_maintenance >= MAINTAIN_EVERY:
            self._isolated("maintenance", self.maintain)
            self._last_maintenance = now
        done = 0
        for step in self.steps:
            name = getattr(step, "__name__", repr(step))
            run = partial(
                step, database=self.database, now=now, limit=self.step_batch, settings=self.settings
            )
            done += self._isolated(name, run)
        jobs = partial(run_due_jobs, database=self.database, worker_id=self.id, now=now, limit=self.batch)
        return done + self._isolated("jobs", jobs)

    @staticmethod
    def _isolated(name: str, work: Callable[[], int | None]) -> int:
        try:
            return work() or 0
        except Exception:
            log.exception(
                "worker step %s failed; the other steps go on, and it is tried again next tick", name
            )
            return 0

    def maintain(self) -> None:
        """Forget idempotency records older than a day (retries come within minutes, not days), and
        failure counts of rows that have not failed again for a day."""
        now = self.clock.now()
        with self.database.unit_of_work() as db:
            db.execute(delete(IdempotencyRecord).where(IdempotencyRecord.created_at < now - KEEP_IDEMPOTENCY))
            forget_old_failures(db=db, now=now)

    def run(self) -> None:
        """Loop until `stop()`; a full batch is followed at once by the next, an empty one by a pause."""
        log.info("worker %s started", self.id)
        while not self.stopping.is_set():
            try:
                done = self.tick()
            except Exception:
                log.exception("worker tick failed; retrying")
                done = 0
            if done < self.batch:
                self.stopping.wait(self.poll_seconds)
        log.info("worker %s stopped", self.id)

    def stop(self) -> None:
        """Finish the current job and leave the loop."""
        self.stopping.set()
