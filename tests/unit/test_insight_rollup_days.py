"""The roll-ups' small pieces: runs of dirty days, the id watermark, hours folded into local days."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from attent.core.ids import uuid7
from attent.insight.rollups import _runs, id_floor, local_day


def test_dirty_days_become_runs_and_close_ones_are_joined():
    d = date(2026, 11, 1)
    days = {d, d + timedelta(days=1), d + timedelta(days=4), d + timedelta(days=20)}
    assert _runs(days) == [(d, d + timedelta(days=4)), (d + timedelta(days=20), d + timedelta(days=20))]
    assert _runs(set()) == []


def test_an_id_made_after_the_floor_is_at_least_the_floor_and_one_made_before_is_below():
    before = uuid7()
    floor = id_floor(datetime.now(UTC) + timedelta(milliseconds=5))
    after_a_while = id_floor(datetime.now(UTC) - timedelta(seconds=1))
    assert before < floor
    assert uuid7() >= after_a_while


def test_utc_hours_fold_into_the_organisations_local_day_across_dst():
    amsterdam = ZoneInfo("Europe/Amsterdam")
    # winter (UTC+1): 23:00 UTC is local midnight, the next day
    assert local_day(datetime(2026, 3, 28, 23, 0, tzinfo=UTC), amsterdam) == date(2026, 3, 29)
    assert local_day("2026-07-01 21:00:00", amsterdam) == date(2026, 7, 1)  # UTC+2: 23:00
    assert local_day("2026-07-01 22:00:00", amsterdam) == date(2026, 7, 2)
