"""What the outbox tells the domains above it, which `attent.wiring` subscribes to."""

import uuid
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class ReplyDelivered:
    """An agent's e-mail reply was accepted by the mail server: it reached the customer at `at`, and the
    case's follow-ups open when it was written are answered (the promise keeper keeps them)."""

    organisation_id: uuid.UUID
    case_id: uuid.UUID
    agent_id: uuid.UUID | None
    written_at: datetime
    at: datetime
