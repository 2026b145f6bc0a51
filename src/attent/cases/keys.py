"""The queue's keys on the case row (`waiting_since`, `next_promise_due`): each is defined by the domain that
owns its rows (contacts, promises) and written here, the one way a key is rewritten from its definition."""

import uuid
from collections.abc import Iterable
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from attent.cases.models import Case


def rewrite_keys(
    db: Session, *, organisation_id: uuid.UUID, case_ids: Iterable[uuid.UUID] | None, **values: Any
) -> None:
    """Set case columns to their definitions (`values`: column=SQL expression) for these cases (None: all
    the organisation's, for loaders), after flushing what this transaction wrote."""
    db.flush()
    query = update(Case).where(Case.organisation_id == organisation_id)
    if case_ids is not None:
        ids = sorted(set(case_ids))
        if not ids:
            return
        query = query.where(Case.id.in_(ids))
    # "fetch": loaded cases get the new value on their next read, not the one they had.
    db.execute(query.values(**values).execution_options(synchronize_session="fetch"))
