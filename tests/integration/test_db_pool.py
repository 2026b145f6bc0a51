"""The pool tests a connection that sat idle before handing it out, and skips the test for a warm one."""

import psycopg
import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError

from attent.core import db as core_db
from attent.core.db import make_engine
from tests.conftest import PG_URL

pytestmark = pytest.mark.skipif(PG_URL is None, reason="PostgreSQL pools only; set ATTENT_TEST_DATABASE_URL")


def _pid(engine: Engine) -> int:
    with engine.connect() as conn:
        pid: int = conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
        return pid


def _terminate(pid: int) -> None:
    assert PG_URL is not None
    with psycopg.connect(PG_URL, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s::int)", (pid,))  # Citus adds a bigint overload


def test_a_connection_cut_while_idle_is_replaced_before_use(monkeypatch: pytest.MonkeyPatch) -> None:
    assert PG_URL is not None
    monkeypatch.setattr(core_db, "PING_AFTER_IDLE_SECONDS", 0.0)
    engine = make_engine(PG_URL, pool_size=1)
    try:
        first = _pid(engine)
        _terminate(first)
        second = _pid(engine)  # the ping finds the dead connection; the pool connects anew
        assert second != first
    finally:
        engine.dispose()


def test_a_connection_returned_a_moment_ago_is_handed_out_without_a_round_trip(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert PG_URL is not None
    monkeypatch.setattr(core_db, "PING_AFTER_IDLE_SECONDS", 3600.0)
    engine = make_engine(PG_URL, pool_size=1)
    try:
        first = _pid(engine)
        _terminate(first)
        with pytest.raises(OperationalError):  # not tested: the first use meets the cut connection
            _pid(engine)
        assert _pid(engine) != first  # and the pool has thrown it away
    finally:
        engine.dispose()
