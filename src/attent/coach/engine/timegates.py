"""Cheap tests that rule a time pattern (`attent.coach.engine.timewords`) out before it runs on a line.

Each test is a necessary condition read from the pattern itself: a line that fails it cannot match, so
skipping the pattern there never changes what `find_times` finds. Split from `timewords` to keep it small.
"""

import re
from collections.abc import Iterable
from typing import Any

from attent.coach.engine.anchors import STEM

_PLAIN = re.compile(r"[a-z0-9_]*")  # letters a regex source matches as themselves, all of them `\w`
_QUANTIFIER = ("?", "*", "{")  # the letter before one of these may be missing
_NOT_WORD = (" ", "-", "'", ",")  # literal characters that end a word (`\w` does not match them)


def _alt(words: Iterable[str]) -> str:
    return "|".join(sorted(words, key=len, reverse=True))


def gates(numbers: str, units: str, days: str, ampm: str, raw: dict[str, Any]) -> dict[str, re.Pattern[str]]:
    """For the patterns that would otherwise run on most lines, a part of the pattern that every match holds,
    taken from the pattern itself: the words it ends on, up to the word's end ("minuten", not the "min" of
    "minder"; a weekday, not the "mon" of "month"), or, for a line without digits, the number word and what
    follows it. A pattern that starts with a look-behind is tried at every position of the line; these start
    with plain words, which the regex engine jumps to, so a line without one is ruled out at a fraction of
    the cost and no line that matches is. All but the duration's and the clock's also start a word
    (`at_word`): the pattern's look-behind, or the space after "next", stands before them; a unit may follow
    its number directly ("10min"). `tests/unit/test_coach_timewords.py` runs each pattern with and without
    its gate."""
    e = r"(?![\w])"
    return {
        "fixed": re.compile(rf"(?:{_alt(raw['fixed'])}){e}"),
        "duration": re.compile(rf"(?:{units}){e}"),
        "part": re.compile(rf"(?:{_alt(raw['parts'])}){e}"),
        "day": re.compile(rf"(?:{days}){e}"),
        "weekday_part": re.compile(
            rf"(?:{_alt(raw['weekdays'])})(?:{_alt(raw.get('weekday_parts') or ['(?!)'])}){e}"
        ),
        "bare_hour": re.compile(rf"(?:{numbers})\s*(?:{ampm}){e}"),  # on a line without digits
        "after_clock_word": re.compile(rf"(?:{_alt(raw['clock_words'])})\s+(?:{numbers})"),  # the same
        "clock": re.compile(r"\d(?:[:.]|u)\d\d"),  # "12:00", "9.30", "12u30": a digit to jump to
    }


def word_keys(words: Iterable[str], *, closed: bool) -> frozenset[str] | None:
    """The keys (`anchors.text_keys`) a line must hold one of where a pattern matches one of `words` (regex
    sources) at the start of a word: the word's first `STEM` letters, or all of a shorter word that ends
    there (`closed`: the pattern puts a non-word character after each of `words`). None when a word starts
    with something else (a group, an escape), or is short and may go on: then no key rules a line out.

    The key stands for the line's word that the match starts, which `text_keys` cuts the same way; so a
    line without any of these keys holds no match, and one set test replaces a regex search of the line."""
    keys = set()
    for word in words:
        if "|" in word:
            return None
        run = _PLAIN.match(word).group(0)  # type: ignore[union-attr]
        rest = word[len(run) :]
        ends = (not rest and closed) or (rest[:1] in _NOT_WORD and rest[1:2] not in _QUANTIFIER)
        if rest[:1] in _QUANTIFIER:
            run, ends = run[:-1], False
        if len(run) >= STEM:
            keys.add(run[:STEM])
        elif run and ends:
            keys.add(run)
        else:
            return None
    return frozenset(keys)


def key_gates(raw: dict[str, Any], days_words: list[str]) -> dict[str, frozenset[str] | None]:
    """Per pattern, `word_keys` of the words every match starts a word with (see each pattern in
    `timewords.grammar`): a day, part or fixed phrase that the gate's look-behind or `at_word` puts at a
    word's start; the clock word before a number; a month after a number or before one (after a space, or
    where the pattern's look-behind stands); a weekday before its date or its part of the day; the
    preposition before "the 12th"."""
    weekdays = list(raw["weekdays"])
    return {
        "fixed": word_keys(raw["fixed"], closed=True),
        "part": word_keys(raw["parts"], closed=True),
        "day": word_keys(days_words, closed=True),
        "weekday_part": word_keys(weekdays, closed=False),  # the part follows without a space
        "after_clock_word": word_keys(raw["clock_words"], closed=True),
        "date": word_keys(raw["months"], closed=True),
        "day_of_month": word_keys(weekdays, closed=True),
        "bare_date": word_keys(["on", "by", "before", "op", "voor", "uiterlijk"], closed=True),
    }


def at_word(gate: re.Pattern[str], text: str) -> bool:
    """Whether `gate` matches `text` where a word starts: what `(?<![\\w])` in front of it would answer, by
    searching on from the next position where a match does not start a word."""
    at = 0
    while (found := gate.search(text, at)) is not None:
        start = found.start()
        if start == 0 or not (text[start - 1].isalnum() or text[start - 1] == "_"):  # `re`'s \\w
            return True
        at = start + 1
    return False
