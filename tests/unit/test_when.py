"""One way of saying a due time: today, tomorrow, a weekday this week, else the date; in both languages."""

from datetime import UTC, datetime, timedelta

import pytest

from attent.core.when import say_when

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # Monday 10:00 in Amsterdam
AT = NOW.replace(hour=14, minute=20)  # 15:20 in Amsterdam
ZONE = "Europe/Amsterdam"


def _say(at: datetime, language: str, **options: object) -> str:
    return say_when(at, now=NOW, timezone=ZONE, language=language, **options)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("at", "dutch", "english"),
    [
        (AT, "vandaag 15:20", "today 15:20"),
        (AT + timedelta(days=1), "morgen 15:20", "tomorrow 15:20"),
        (AT + timedelta(days=3), "donderdag 15:20", "Thursday 15:20"),
        (AT + timedelta(days=6), "zondag 15:20", "Sunday 15:20"),
        (AT + timedelta(days=7), "30 november 15:20", "30 November 15:20"),  # next Monday: the date
        (datetime(2027, 1, 5, 14, 20, tzinfo=UTC), "5 januari 2027 15:20", "5 January 2027 15:20"),
        (AT - timedelta(days=1), "gisteren 15:20", "yesterday 15:20"),
        (AT - timedelta(days=3), "20 november 15:20", "20 November 15:20"),
    ],
)
def test_each_band_in_both_languages(at, dutch, english):
    assert _say(at, "nl") == dutch
    assert _say(at, "en") == english


def test_the_day_is_the_organisations_not_utcs():
    late = NOW.replace(hour=23, minute=30)  # still Monday in UTC, already Tuesday 00:30 in Amsterdam
    assert _say(late, "nl") == "morgen 0:30"
    assert say_when(late, now=NOW, timezone="UTC", language="en") == "today 23:30"


def test_where_the_context_says_today_only_the_time():
    assert _say(AT, "nl", today_implied=True) == "15:20"
    assert _say(AT + timedelta(days=1), "nl", today_implied=True) == "morgen 15:20"


def test_a_window_on_one_day_reads_as_a_range():
    start = NOW + timedelta(days=1)
    assert _say(start + timedelta(hours=2), "nl", due_from=start) == "morgen 10:00\u201312:00"


def test_in_a_customers_sentence_the_same_bands():
    assert _say(AT, "nl", sentence=True) == "vandaag uiterlijk om 15:20"
    assert _say(AT + timedelta(days=1), "en", sentence=True) == "tomorrow by 15:20"
    assert _say(AT + timedelta(days=3), "nl", sentence=True) == "op donderdag uiterlijk om 15:20"
    assert _say(AT + timedelta(days=9), "en", sentence=True) == "on 2 December by 15:20"
    start = NOW + timedelta(days=1)
    window = _say(start + timedelta(hours=2), "nl", due_from=start, sentence=True)
    assert window == "morgen tussen 10:00 en 12:00"


def test_unknown_languages_speak_dutch():
    assert _say(AT + timedelta(days=1), "fr") == "morgen 15:20"
