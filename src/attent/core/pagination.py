"""Opaque cursors over time-ordered UUIDv7 ids."""

import base64
import binascii
import uuid
from typing import Protocol, TypeVar

from sqlalchemy import Select
from sqlalchemy.orm import QueryableAttribute, Session

from attent.core.errors import FieldError, Invalid


class HasId(Protocol):
    """A row with a UUIDv7 id."""

    @property
    def id(self) -> uuid.UUID: ...


Row = TypeVar("Row", bound=HasId)

MAX_LIMIT = 200


def encode_cursor(last_id: uuid.UUID) -> str:
    """The cursor that continues after `last_id`."""
    return base64.urlsafe_b64encode(last_id.bytes).rstrip(b"=").decode()


def decode_cursor(cursor: str | None) -> uuid.UUID | None:
    """The id a cursor continues after; a malformed cursor is a 422 naming the parameter."""
    if not cursor:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        return uuid.UUID(bytes=raw)
    except (binascii.Error, ValueError):
        raise Invalid(
            "invalid_cursor",
            "The cursor is not one this API handed out.",
            [FieldError(("query", "cursor"), "Malformed cursor.")],
        ) from None


def newest_first(
    db: Session, query: Select[Row], id_column: QueryableAttribute[uuid.UUID], cursor: str | None, limit: int
) -> tuple[list[Row], str | None]:
    """One page of `query` by descending UUIDv7 id after `cursor`, and the cursor of the next (None: last)."""
    after = decode_cursor(cursor)
    if after is not None:
        query = query.where(id_column < after)
    rows = list(db.scalars(query.order_by(id_column.desc()).limit(limit + 1)))
    more, rows = len(rows) > limit, rows[:limit]
    return rows, encode_cursor(rows[-1].id) if more and rows else None
