"""How long a customer has waited for us: the definition, and the copy kept on the case row.

`cases.waiting_since` is what the queue sorts and filters by (an index instead of a subquery per
case). It is a cache of `waiting_since(...)`, so every write of this domain that can change the answer
(a message, an outbound contact, a merge, an erasure) calls `refresh_waiting` in the same transaction,
and a test compares the column with the definition after many operations.
"""

import uuid
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import ScalarSelect, func, select
from sqlalchemy.orm import Session, aliased

from attent.cases import Case, rewrite_keys
from attent.contacts.models import Contact, Direction, Message, Speaker


def waiting_since(organisation_id: uuid.UUID) -> ScalarSelect[datetime]:
    """When the customer's oldest unanswered message was written, for the enclosing query's case.

    Every table in it names the organisation as a constant, so on Citus the correlated subquery routes to
    the organisation's shard (joining on a column alone is a join across shards, which it refuses).

    A message counts as answered once an agent wrote on the case after it, or an agent contacted the
    customer (an outbound contact) after it. Messages are the honest signal: a contact logged without a
    transcript says nothing about who is waiting for whom.
    """
    said, reply, call = aliased(Message), aliased(Message), aliased(Contact)
    replied = (
        select(reply.id)
        .where(
            reply.organisation_id == organisation_id,
            reply.case_id == said.case_id,
            reply.speaker == Speaker.AGENT,
            reply.at > said.at,
        )
        .exists()
    )
    called = (
        select(call.id)
        .where(
            call.organisation_id == organisation_id,
            call.case_id == said.case_id,
            call.direction == Direction.OUTBOUND,
            call.started_at > said.at,
        )
        .exists()
    )
    return (
        select(func.min(said.at))
        .where(
            said.organisation_id == organisation_id,
            said.case_id == Case.id,
            said.speaker == Speaker.CUSTOMER,
            ~replied,
            ~called,
        )
        .scalar_subquery()
    )


def refresh_waiting(db: Session, *, organisation_id: uuid.UUID, case_ids: Iterable[uuid.UUID] | None) -> None:
    """Write `cases.waiting_since` again from the definition for these cases (None: all the
    organisation's, for loaders), after flushing what this transaction wrote."""
    rewrite_keys(
        db, organisation_id=organisation_id, case_ids=case_ids, waiting_since=waiting_since(organisation_id)
    )
