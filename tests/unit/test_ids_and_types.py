"""Ids sort by creation; datetimes are never naive."""

import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy.dialects import postgresql, sqlite

from attent.core.db import UTCDateTime
from attent.core.errors import Invalid
from attent.core.ids import uuid7
from attent.core.pagination import decode_cursor, encode_cursor


def test_uuid7_is_version_7_and_monotonic():
    ids = [uuid7() for _ in range(5000)]
    assert all(i.version == 7 for i in ids)
    assert ids == sorted(ids) and len(set(ids)) == len(ids)


def test_naive_datetimes_are_refused_and_results_are_utc():
    column = UTCDateTime()
    with pytest.raises(ValueError, match="naive datetime"):
        column.process_bind_param(datetime(2026, 1, 1), sqlite.dialect())  # noqa: DTZ001
    stored = column.process_bind_param(datetime(2026, 1, 1, 12, tzinfo=UTC), sqlite.dialect())
    assert stored is not None and stored.tzinfo is None
    assert column.process_result_value(stored, sqlite.dialect()) == datetime(2026, 1, 1, 12, tzinfo=UTC)
    assert (
        column.process_bind_param(datetime(2026, 1, 1, 12, tzinfo=UTC), postgresql.dialect()).tzinfo
        is not None
    )


def test_cursor_round_trip():
    key = [datetime(2026, 11, 23, 9, 0, 0, 123456, tzinfo=UTC), uuid7(), True, 7, "x"]
    kinds = [datetime, uuid.UUID, bool, int, str]
    assert decode_cursor(encode_cursor(key), kinds) == key
    assert decode_cursor(None, kinds) is None
    with pytest.raises(Invalid):  # the same values read as another list's key
        decode_cursor(encode_cursor(key), [uuid.UUID])
    with pytest.raises(Invalid):
        decode_cursor(encode_cursor([1, True]), [bool, int])
