"""Notifications as the API shows them."""

import uuid
from datetime import datetime
from typing import Any

from attent.core.schemas import Output


class NotificationRead(Output):
    """One notification."""

    id: uuid.UUID
    kind: str
    case_id: uuid.UUID | None
    data: dict[str, Any]
    created_at: datetime
    read_at: datetime | None
