"""Which behaviour a coaching card picks: the highest share missed where it applied; ties by the rule book."""

from datetime import UTC, datetime

from attent.coach.cards import focus, weeks_until


def test_the_highest_share_missed_wins_not_the_most_misses():
    counts = {"empathy": (6, 4), "closing_check": (1, 2)}  # 40 % against 67 %
    assert focus(counts) == "closing_check"


def test_ties_go_by_the_rule_books_order_and_no_miss_means_no_focus():
    assert focus({"closing_check": (1, 1), "narrates": (2, 2)}) == "narrates"  # narrates comes first
    assert focus({"empathy": (5, 0)}) is None
    assert focus({}) is None


def test_eight_iso_weeks_in_the_organisations_zone_oldest_first():
    sunday_night_utc = datetime(2026, 11, 29, 23, 30, tzinfo=UTC)  # Monday 00:30 in Amsterdam: week 49
    weeks = weeks_until(sunday_night_utc, "Europe/Amsterdam")
    assert weeks[-1] == "2026-W49" and weeks[0] == "2026-W42" and len(weeks) == 8
    assert weeks_until(sunday_night_utc, "UTC")[-1] == "2026-W48"
