"""What the worker set aside for an organisation, and trying it again (admins only).

Two sources, one list: rows of the timed steps set aside after repeated failures
(`attent.core.setaside`), and jobs that failed for good (`attent.core.queue`). Only the organisation's
own rows are read, and the error is its first line: never SQL, parameters or anything of another row.
"""

import uuid
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from attent.agents import Agent
from attent.agents.service import require_role
from attent.core.errors import NotFound
from attent.core.queue import Job
from attent.core.setaside import SetAside, set_aside, try_again
from attent.failures.schemas import FailureRead

LIMIT = 500
# What each kind of set-aside work is, for people (msgids; the API gives the kind itself).
LABELS = {
    "agent_shift": "End of a shift",
    "promise": "Promise check (at risk, broken)",
    "signal": "Signal tested against the rules",
    "rule_firing": "Delayed rule",
    "gesture_resolved": "Check-in after a resolved case",
    "check_in": "Planned check-in",
    "gesture_outcome": "Gesture outcome after 30 days",
    "coach_scoring": "Coach scoring a contact",
    "outbound_message": "Message to the customer",
    "signals.webhook": "Webhook call",
}


def first_line(error: str | None) -> str:
    """An error as the list shows it: its first line (a database error's further lines name values)."""
    lines = (error or "").strip().splitlines()
    return lines[0][:500] if lines else ""


def list_failures(*, db: Session, actor: Agent) -> list[FailureRead]:
    """The organisation's set-aside rows and failed jobs, most recent first."""
    require_role(actor)
    rows = [
        FailureRead(
            id=row.id,
            kind=row.kind,
            row_id=row.row_id,
            case_id=row.case_id,
            error=first_line(row.last_error),
            attempts=row.attempts,
            failed_at=row.failed_at,
        )
        for row in set_aside(db=db, organisation_id=actor.organisation_id)[:LIMIT]
        if row.failed_at is not None
    ]
    jobs = db.scalars(
        select(Job)
        .where(Job.organisation_id == actor.organisation_id, Job.failed_at.is_not(None))
        .order_by(Job.failed_at.desc())
        .limit(LIMIT)
    )
    rows += [
        FailureRead(
            id=job.id,
            kind=job.kind,
            row_id=job.id,
            case_id=None,
            error=first_line(job.last_error),
            attempts=job.attempts,
            failed_at=job.failed_at,
        )
        for job in jobs
        if job.failed_at is not None
    ]
    return sorted(rows, key=lambda f: f.failed_at, reverse=True)[:LIMIT]


def retry_failure(*, db: Session, actor: Agent, failure_id: uuid.UUID, at: datetime) -> None:
    """Clear the failures of a set-aside row (or a failed job) so the worker takes it again."""
    require_role(actor)
    organisation_id = actor.organisation_id
    if try_again(db=db, organisation_id=organisation_id, set_aside_id=failure_id):
        return
    if db.get(SetAside, (organisation_id, failure_id)) is not None:
        return  # tried again already: nothing left to clear
    job = db.execute(
        update(Job)
        .where(Job.organisation_id == organisation_id, Job.id == failure_id)
        .values(failed_at=None, attempts=0, due_at=at, locked_by=None, locked_until=None)
        .execution_options(synchronize_session=False)
    )
    if not getattr(job, "rowcount", 0):
        raise NotFound.of("failure", failure_id)
