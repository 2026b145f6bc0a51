"""Claiming due rows fairly, one organisation at a time.

Every worker step claims a batch of due rows (promises, signals, outbox messages, jobs ...). Claimed in
one query ordered by due time, one organisation's backlog of old rows would fill every batch until it
is gone, and another organisation's single due promise would wait behind it. And on Citus, where tables
are distributed by organisation, a locking query must name one organisation to route to one shard:
`FOR UPDATE` across shards is refused.

So a claim first asks which organisations have due rows (a plain read, which may span shards), takes
them in random order, at most `MAX_ORGANISATIONS` per claim, and then claims each one's share of the
batch with a query that names it (`FOR UPDATE SKIP LOCKED` on PostgreSQL; SQLite's single writer needs
no lock). With one organisation this costs one statement more than a single claim.
"""

import math
import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

MAX_ORGANISATIONS = 64  # organisations served per claim; more wait for the next one, in random order


def organisations_due(db: Session, query: Select[Any], model: Any) -> list[uuid.UUID]:
    """The organisations that have rows `query` selects, in random order, at most MAX_ORGANISATIONS."""
    due = (
        query.with_only_columns(model.organisation_id, maintain_column_froms=True)
        .distinct()
        .order_by(None)
        .limit(None)
        .subquery()
    )
    return list(db.scalars(select(due.c.organisation_id).order_by(func.random()).limit(MAX_ORGANISATIONS)))


def claim(
    db: Session, query: Select[Any], *, model: Any, whole_rows: bool = True, skip_locked: bool = True
) -> Sequence[Any]:
    """Claim what `query` selects, up to its limit, each organisation its share, each share locked by a
    query naming that organisation. `query` selects `model`'s rows (or columns including its key)."""
    limit = query._limit  # the batch size the caller asked for (None: everything due)
    organisations = organisations_due(db, query, model)
    if not organisations:
        return []
    share = None if limit is None else max(1, math.ceil(limit / len(organisations)))
    postgres = db.get_bind().dialect.name == "postgresql"
    claimed: list[Any] = []
    for organisation_id in organisations:
        own = query.where(model.organisation_id == organisation_id).limit(share)
        if postgres:
            own = own.with_for_update(of=model, skip_locked=skip_locked)
        claimed.extend(db.scalars(own) if whole_rows else db.execute(own))
    return claimed
