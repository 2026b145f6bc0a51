"""Keyset pagination: a page of rows in a stable order, and an opaque cursor that continues after it.

A cursor holds the sort key of the last row handed out (its due time and id, say), not an offset and
not the id alone: a list sorted by anything other than its id cannot be continued from an id, which is
how `GET /promises?limit=3` once answered 3 of 4 promises with `next_cursor: null`. Every key ends in the
row's id, so the order is total and no two rows share a position; the page after a cursor is every row
whose key sorts after the cursor's, however many rows were added or changed before it meanwhile.
"""

import base64
import binascii
import json
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, and_, literal, or_, tuple_
from sqlalchemy.orm import QueryableAttribute, Session
from sqlalchemy.sql import operators
from sqlalchemy.sql.elements import UnaryExpression
from sqlalchemy.types import TypeDecorator

from attent.core.errors import FieldError, Invalid

Row = TypeVar("Row")

MAX_LIMIT = 200
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

Key = ColumnElement[Any] | QueryableAttribute[Any]  # a column or expression; `.desc()` for descending


def _split(key: Key) -> tuple[ColumnElement[Any], bool]:
    """A sort key as (expression, descending)."""
    if isinstance(key, UnaryExpression) and key.modifier in (operators.desc_op, operators.asc_op):
        return key.element, key.modifier is operators.desc_op
    return key.__clause_element__() if isinstance(key, QueryableAttribute) else key, False


def _kind(expr: ColumnElement[Any]) -> type:
    """The Python type a sort key's values have (a type decorator's, e.g. UTCDateTime, is its impl's)."""
    sql_type = expr.type
    if isinstance(sql_type, TypeDecorator):
        sql_type = sql_type.impl_instance
    kind: type = sql_type.python_type
    return kind


def _encode_value(value: Any) -> Any:
    if isinstance(value, uuid.UUID):
        return value.hex
    if isinstance(value, datetime):
        return (value - EPOCH) // timedelta(microseconds=1)  # exact, and shorter than ISO 8601
    if isinstance(value, bool | int | str):
        return value
    raise TypeError(f"a sort key of a paged list cannot be {value!r} (NULL keys cannot be continued from)")


def _decode_value(raw: Any, kind: type) -> Any:
    if kind is uuid.UUID and isinstance(raw, str):
        return uuid.UUID(hex=raw)
    if kind is datetime and isinstance(raw, int) and not isinstance(raw, bool):
        return EPOCH + timedelta(microseconds=raw)
    if kind is bool and isinstance(raw, bool):
        return raw
    if kind is int and isinstance(raw, int) and not isinstance(raw, bool):
        return raw
    if kind is str and isinstance(raw, str):
        return raw
    raise ValueError(f"not a {kind.__name__}")


def encode_cursor(values: Sequence[Any]) -> str:
    """The cursor that continues after a row whose sort key is `values`."""
    payload = json.dumps([_encode_value(v) for v in values], separators=(",", ":"))
    return base64.urlsafe_b64encode(payload.encode()).rstrip(b"=").decode()


def _invalid() -> Invalid:
    return Invalid(
        "invalid_cursor",
        "The cursor is not one this list handed out.",
        [FieldError(("query", "cursor"), "Malformed cursor.")],
    )


def decode_cursor(cursor: str | None, kinds: Sequence[type]) -> list[Any] | None:
    """The sort key a cursor continues after, read as `kinds`; one this list did not hand out is a 422."""
    if not cursor:
        return None
    try:
        raw = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if not isinstance(raw, list) or len(raw) != len(kinds):
            raise ValueError("wrong number of values")
        return [_decode_value(value, kind) for value, kind in zip(raw, kinds, strict=True)]
    except (binascii.Error, UnicodeDecodeError, ValueError, OverflowError):
        raise _invalid() from None


def _after(keys: list[tuple[ColumnElement[Any], bool]], values: list[Any]) -> ColumnElement[bool]:
    """Rows whose sort key comes after `values` in the order of `keys`."""
    bound = [literal(value, expr.type) for (expr, _), value in zip(keys, values, strict=True)]
    if len({descending for _, descending in keys}) == 1:  # one direction: a row comparison an index serves
        left, right = tuple_(*(expr for expr, _ in keys)), tuple_(*bound)
        return left < right if keys[0][1] else left > right
    terms = []
    for i, (expr, descending) in enumerate(keys):
        equal = [keys[j][0] == bound[j] for j in range(i)]
        terms.append(and_(*equal, expr < bound[i] if descending else expr > bound[i]))
    return or_(*terms)


def page(
    db: Session, query: Select[Row], order: Sequence[Key], cursor: str | None, limit: int
) -> tuple[list[Row], str | None]:
    """One page of `query` in `order` after `cursor`, and the cursor of the next page (None: the last).

    `order` is the list's whole sort, ending in the row's id so that it is total (e.g.
    `(Promise.due_by, Promise.id)` or `(Case.id.desc(),)`); no key may be NULL."""
    rows, next_cursor = page_rows(db, query, order, cursor, limit)
    return [row[0] for row in rows], next_cursor


def page_rows(
    db: Session, query: Select[Any], order: Sequence[Key], cursor: str | None, limit: int
) -> tuple[list[tuple[Any, ...]], str | None]:
    """As `page`, each row with all the columns `query` selects (a case with its customer's name, say)."""
    keys = [_split(key) for key in order]
    after = decode_cursor(cursor, [_kind(expr) for expr, _ in keys])
    if after is not None:
        query = query.where(_after(keys, after))
    width = len(query.column_descriptions)
    ordered = query.add_columns(*(expr for expr, _ in keys)).order_by(
        *(expr.desc() if descending else expr for expr, descending in keys)
    )
    rows = list(db.execute(ordered.limit(limit + 1)))
    more, rows = len(rows) > limit, rows[:limit]
    next_cursor = encode_cursor(list(rows[-1][width:])) if more and rows else None
    return [tuple(row[:width]) for row in rows], next_cursor


def newest_first(
    db: Session,
    query: Select[Row],
    id_column: QueryableAttribute[uuid.UUID],
    cursor: str | None,
    limit: int,
) -> tuple[list[Row], str | None]:
    """One page of `query` by descending UUIDv7 id (newest first) after `cursor`, and the next cursor."""
    return page(db, query, (id_column.desc(),), cursor, limit)
