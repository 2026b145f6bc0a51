"""Acting on many cases at once (`cases.service.bulk_update`): its actions and its refusal.

All or nothing. Each case is changed in its own savepoint, as if alone, and writes its own timeline
event; a case that refuses (an illegal status move, open promises, a closed case) is listed with its
reason, and when any refuses the whole batch is refused, so nothing of it is half-done.
"""

import enum
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from attent.core.errors import AttentError, Conflict

MAX_BATCH = 1000  # a batch is what one person selects; more is a script, which has the API per case


class BulkAction(enum.StrEnum):
    """What to do to every selected case."""

    ASSIGN = "assign"  # owner_id; none: nobody
    MOVE_TEAM = "move_team"  # team_id
    STATUS = "status"  # status
    ADD_TAG = "add_tag"  # tag
    REMOVE_TAG = "remove_tag"  # tag


@dataclass(frozen=True)
class Refusal:
    """One case of the batch that refused, and why."""

    case_id: uuid.UUID
    subject: str
    error: AttentError


class BatchRefused(Conflict):
    """Some cases of a batch refused; nothing of the batch was done."""

    def __init__(self, refusals: Sequence[Refusal]) -> None:
        super().__init__(
            "batch_refused",
            "{n} of the selected cases refused; nothing was changed.",
            n=len(refusals),
        )
        self.refusals = list(refusals)

    def more(self, language: str) -> dict[str, object]:
        """Each refused case with its reason, in the reader's language."""
        return {
            "refused": [
                {"case_id": str(r.case_id), "code": r.error.code, "detail": r.error.say(language)}
                for r in self.refusals
            ]
        }
