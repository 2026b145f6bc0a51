"""Opaque cursors over time-ordered UUIDv7 ids."""

import base64
import binascii
import uuid

from attent.core.errors import FieldError, Invalid

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
