"""One way of saying when something is due: the brief, My work, the team view, the case page, e-mails.

Said relative to the reader's today in the organisation's zone, so nobody has to work out the date:
today 15:20, tomorrow 15:20, a weekday within the coming week, else the date (with the year when it is
not this year's); yesterday for a time just gone. A due time without its day read as today's when it
was tomorrow's ("levering vóór 15:20"), so every place that shows one calls this function.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time

from attent.core.i18n import gettext, pick_language

WEEK_AHEAD = 6  # days ahead that a weekday names unambiguously; the seventh is today's weekday again


def _day(moment: datetime, now: datetime, language: str) -> tuple[str | None, bool]:
    """The day word ('vandaag', 'morgen', 'donderdag', '12 maart'), and whether it is a date."""
    days = (moment.date() - now.date()).days
    if days == 0:
        return gettext(language, "today"), False
    if days == 1:
        return gettext(language, "tomorrow"), False
    if days == -1:
        return gettext(language, "yesterday"), False
    if 2 <= days <= WEEK_AHEAD:
        return format_date(moment, "EEEE", locale=language), True
    pattern = "d MMMM" if moment.year == now.year else "d MMMM y"
    return format_date(moment, pattern, locale=language), True


def say_when(
    at: datetime,
    *,
    now: datetime,
    timezone: str,
    language: str,
    due_from: datetime | None = None,
    today_implied: bool = False,
    sentence: bool = False,
) -> str:
    """A moment as people say it: 'vandaag 15:20', 'morgen 9:00-11:00', 'donderdag 15:20', '12 maart 15:20'.

    `today_implied`: the context already says today (a list of today's call-backs), so today's times
    are just the time. `sentence`: the words a customer reads in a message ('vandaag uiterlijk om
    15:20', 'op donderdag tussen 9:00 en 11:00'). `due_from` makes a window when it falls on the same day.
    """
    language = pick_language(language)
    zone = ZoneInfo(timezone)
    end, today = at.astimezone(zone), now.astimezone(zone)
    start = due_from.astimezone(zone) if due_from is not None else None
    window = start is not None and start.date() == end.date() and start < end
    day, is_date = _day(end, today, language)

    def clock(moment: datetime) -> str:
        return format_time(moment, "H:mm", locale=language)

    if sentence:
        if is_date:
            day = gettext(language, "on {date}", date=day)
        if window and start is not None:
            return gettext(
                language, "{day} between {start} and {end}", day=day, start=clock(start), end=clock(end)
            )
        return gettext(language, "{day} by {time}", day=day, time=clock(end))
    time = f"{clock(start)}\u2013{clock(end)}" if window and start is not None else clock(end)
    if today_implied and (end.date() - today.date()).days == 0:
        return time
    return f"{day} {time}"
