"""When a case's soonest open promise is due: the definition, and the copy kept on the case row.

`cases.next_promise_due` is what the queue sorts by (an index instead of a grouped join over every
visible case). It is a cache of `next_due(...)`, so every write of this domain that opens, closes or
moves a promise calls `refresh_next_due` in the same transaction, and a test compares the column with
the definition after many operations.
"""

import uuid
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import ScalarSelect, func, select
from sqlalchemy.orm import Session

from attent.cases import Case, rewrite_keys
from attent.promises.models import Promise, PromiseState


def next_due(organisation_id: uuid.UUID) -> ScalarSelect[datetime]:
    """The due time of the enclosing query's case's soonest open promise (None: none is open)."""
    return (
        select(func.min(Promise.due_by))
        .where(
            Promise.organisation_id == organisation_id,
            Promise.case_id == Case.id,
            Promise.state == PromiseState.OPEN,
        )
        .scalar_subquery()
    )


def refresh_next_due(
    db: Session, *, organisation_id: uuid.UUID, case_ids: Iterable[uuid.UUID] | None
) -> None:
    """Write `cases.next_promise_due` again from the definition for these cases (None: all the
    organisation's, for loaders), after flushing what this transaction wrote."""
    rewrite_keys(
        db, organisation_id=organisation_id, case_ids=case_ids, next_promise_due=next_due(organisation_id)
    )


def refresh_cases_of(db: Session, promises: Iterable[Promise]) -> None:
    """`refresh_next_due` for the cases of these promises, one UPDATE per organisation."""
    by_org: dict[uuid.UUID, set[uuid.UUID]] = defaultdict(set)
    for promise in promises:
        by_org[promise.organisation_id].add(promise.case_id)
    for organisation_id, case_ids in sorted(by_org.items()):
        refresh_next_due(db, organisation_id=organisation_id, case_ids=case_ids)
