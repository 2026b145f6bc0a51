"""The two recovery actions, as thin calls to the recovery domain's service."""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from attent.recovery import service as recovery
from attent.signals.rulebook import duration


def suggest_gesture(
    *,
    db: Session,
    organisation_id: uuid.UUID,
    customer_id: uuid.UUID,
    case_id: uuid.UUID | None,
    action: dict[str, Any],
    source: str,
    at: datetime,
) -> None:
    """A gesture for a lead to approve: recovery after a failure, or a surprise for a happy occasion."""
    recovery.suggest_gesture(
        db=db,
        organisation_id=organisation_id,
        customer_id=customer_id,
        case_id=case_id,
        reason=action["reason"],
        occasion=action.get("occasion"),
        gesture_code=action.get("gesture"),
        source=source,
        at=at,
    )


def schedule_check_in(
    *,
    db: Session,
    organisation_id: uuid.UUID,
    customer_id: uuid.UUID,
    case_id: uuid.UUID | None,
    action: dict[str, Any],
    source: str,
    at: datetime,
) -> None:
    """A durable check-in `after` from now, as a task for an agent or a message to the customer."""
    recovery.schedule_check_in(
        db=db,
        organisation_id=organisation_id,
        customer_id=customer_id,
        case_id=case_id,
        due_at=at + duration(action["after"]),
        mode=action.get("mode", "task"),
        note=action["note"],
        source=source,
        at=at,
    )
