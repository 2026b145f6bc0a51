"""Whether a weekday or a date was said of the past: "you called on Monday", "u heeft het vrijdag besteld".

A weekday or a date without a year is read as the next one (`engine.due`), which is right for "I'll
ring you on Monday" and wrong for "I see you called on Monday": that second reading made a promise, or an
expectation, out of what already happened. The words before a time (`past` in the rule book's `[time]`)
catch "last Monday" and "two days ago"; here the clause's tense does the rest. English: a past verb earlier
in the clause ("called", "paid", "rang") with no future word after it. Dutch: an auxiliary and a past
participle in the clause ("heeft … gebeld", "is … bezorgd"), with no future word. A day named as a target
stays ahead ("booked for Friday", "naar vrijdag verzet"). The lists are the rule book's `[tense]` section.
"""

import re
from dataclasses import dataclass
from functools import lru_cache

from attent.coach.engine.rules import load_rules

KINDS = ("weekday", "date")  # a day that could lie either side of now; "tomorrow" and "yesterday" say which


@dataclass(frozen=True)
class Tense:
    """One language's compiled tense lists."""

    boundary: re.Pattern[str]
    past_verb: re.Pattern[str]
    aux: re.Pattern[str] | None  # Dutch: the past needs an auxiliary too
    future: re.Pattern[str]
    target: re.Pattern[str]


def _words(items: list[str]) -> str:
    return r"(?<![\w'])(?:" + "|".join(sorted(items, key=len, reverse=True)) + r")(?![\w'])"


@lru_cache(maxsize=4)
def tense(code: str) -> Tense:
    """The tense lists of language `code`, compiled once."""
    raw = load_rules().languages[code].raw["tense"]
    return Tense(
        boundary=re.compile(r"[,.;:!?]| (?:" + "|".join(raw["boundary"]) + r") "),
        past_verb=re.compile(_words(raw["past_verb"])),
        aux=re.compile(_words(raw["aux"])) if raw["aux"] else None,
        future=re.compile(_words(raw["future"])),
        target=re.compile(r"(?:^| )(?:" + "|".join(raw["target"]) + r")(?: (?:the|de|het))? ?$"),
    )


def said_of_the_past(text: str, start: int, end: int, code: str) -> bool:
    """Whether the weekday or date at `text[start:end]` is one that has passed, by its clause's tense."""
    t = tense(code)
    before = t.boundary.split(text[:start])[-1]
    if t.target.search(before):
        return False  # "for Friday", "naar vrijdag": where something is going
    after = t.boundary.split(text[end:], maxsplit=1)[0]
    if t.future.search(before) or t.future.search(after):
        return False
    if t.aux is None:
        return t.past_verb.search(before) is not None
    clause = before + " " + after
    return t.aux.search(clause) is not None and t.past_verb.search(clause) is not None
