"""Timeline events as the API shows them."""

import uuid
from datetime import datetime
from typing import Any

from attent.core.schemas import Output
from attent.timeline.models import ActorKind


class EventRead(Output):
    """One thing that happened."""

    id: uuid.UUID
    case_id: uuid.UUID | None
    customer_id: uuid.UUID | None
    at: datetime
    actor_kind: ActorKind
    actor_id: uuid.UUID | None
    kind: str
    data: dict[str, Any]
    customer_visible: bool
