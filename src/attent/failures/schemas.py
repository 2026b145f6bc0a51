"""Work the worker set aside, as the API shows it."""

import uuid
from datetime import datetime

from attent.core.schemas import Output


class FailureRead(Output):
    """One row a worker step gave up on (or a job that failed for good), with the reason."""

    id: uuid.UUID
    kind: str
    row_id: uuid.UUID
    case_id: uuid.UUID | None
    error: str
    attempts: int
    failed_at: datetime
