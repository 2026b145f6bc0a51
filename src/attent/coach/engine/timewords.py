"""Finding time expressions in a line ("binnen een kwartier", "tomorrow before noon", "3 werkdagen").

Finding is separate from resolving (`attent.coach.engine.due`): the coach needs to know *that* a concrete
time was said (sets_expectation) more often than *when* it falls (promises).
"""

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from attent.coach.engine.anchors import text_keys
from attent.coach.engine.rules import Language, load_rules
from attent.coach.engine.tense import KINDS as PAST_OR_AHEAD
from attent.coach.engine.tense import said_of_the_past
from attent.coach.engine.timegates import at_word as _at_word
from attent.coach.engine.timegates import gates as _gates
from attent.coach.engine.timegates import key_gates
from attent.coach.engine.timetrie import Finds, WordStart, plain_alt, trie


@dataclass(frozen=True, slots=True)
class Bit:
    """One time expression: what kind it is, its value, and where it stands in the normalised text."""

    kind: str  # duration (minutes) | business_days | clock (h, m, ampm) | day | weekday | part | next_week
    #          | this_week | date (month or None when unnamed, day)
    value: Any
    start: int
    end: int


@dataclass(frozen=True)
class TimeGrammar:
    """The compiled patterns for one language."""

    duration: re.Pattern[str]
    fixed: re.Pattern[str]
    clock: re.Pattern[str]
    bare_hour: re.Pattern[str]
    after_clock_word: re.Pattern[str]
    between: re.Pattern[str]
    half: re.Pattern[str]
    day: re.Pattern[str]
    part: re.Pattern[str]
    next_week: re.Pattern[str]
    this_week: re.Pattern[str]
    date: re.Pattern[str]
    day_of_month: re.Pattern[str]
    weekday_part: re.Pattern[str]
    about: re.Pattern[str]
    bare_date: re.Pattern[str]
    past_before: re.Pattern[str]
    past_after: re.Pattern[str]
    clock_words: frozenset[str]
    past_immediate: frozenset[str]
    part_after: frozenset[str]
    numbers: dict[str, float]
    units: dict[str, str]
    raw: dict[str, Any]
    unit_patterns: dict[str, re.Pattern[str]]
    tomorrow: re.Pattern[str]
    unit_cache: dict[str, str]  # unit word -> unit, filled as words are met
    needs: dict[str, re.Pattern[str] | None]  # per pattern, the literal pieces a line must hold one of
    gates: dict[str, re.Pattern[str]]  # per pattern, a part every match holds (`_gates`)
    keys: dict[str, frozenset[str] | None]  # per pattern, the line keys it needs one of (`key_gates`)
    finds: dict[str, Finds]  # per pattern above, what finds its matches (the pattern, or `WordStart`)


_UNITS = ("business_days", "weeks", "days", "hours", "minutes", "seconds")
_DIGIT = re.compile(r"\d")
_CLAUSE_MARK = re.compile(r"[,.;!?]")


def _pieces(words: list[str]) -> re.Pattern[str] | None:
    """The literal start of each word (up to its first regex character): a line without any cannot match.
    None when a word starts with fewer than two plain letters (then the pattern always runs)."""
    out = {re.match(r"[a-z' ]*", w).group(0).strip() for w in words}  # type: ignore[union-attr]
    if not out or any(len(piece) < 2 for piece in out):
        return None
    return re.compile("|".join(re.escape(piece) for piece in sorted(out, key=len, reverse=True)))


def _present(pieces: re.Pattern[str] | None, text: str) -> bool:
    return pieces is None or pieces.search(text) is not None


def _unit_of(g: "TimeGrammar", word: str) -> str:
    unit = g.unit_cache.get(word)
    if unit is None:
        unit = next((u for u in _UNITS if g.unit_patterns[u].fullmatch(word)), "minutes")
        g.unit_cache[word] = unit
    return unit


@lru_cache(maxsize=4)
def grammar(code: str) -> TimeGrammar:
    """Compile one language's time words (once per process)."""
    language: Language = load_rules().languages[code]
    return compile_grammar(language.time)


def compile_grammar(raw: dict[str, Any], *, plain: bool = False) -> TimeGrammar:
    """The patterns for one language's time words. `plain` builds them as the rule book reads (each list one
    alternation, longest word first, searched as one regex); otherwise the word lists are factored into
    tries and the look-behind-led patterns are searched from where a match can start (`timetrie`): the
    same matches for less work, which `tests/unit/test_coach_timetrie.py` checks against `plain`."""
    _alt = plain_alt if plain else trie
    numbers = {k: float(v) for k, v in raw["numbers"].items()}
    num = rf"(?:\d+(?:[.,]5)?|{_alt(numbers)})"
    unit_words = (
        raw["business_days"] + raw["weeks"] + raw["days"] + raw["hours"] + raw["minutes"] + raw["seconds"]
    )
    units = _alt(unit_words)
    rng = _alt([re.escape(r) for r in raw["range"]])
    b, e = r"(?<![\w:.])", r"(?![\w])"
    hhmm = r"\d{1,2}(?:[:.]\d{2})?"
    days_words = raw["day_after_tomorrow"] + raw["tomorrow"] + raw["today"] + list(raw["weekdays"])
    days = _alt(days_words)
    ampm = r"a\.?m\.?|p\.?m\.?|o'?clock|uur|u"
    ordinals = _alt(raw["ordinals"]) if raw.get("ordinals") else "(?!)"  # spelled out; "(?!)" never matches
    next_words = ["volgende", "komende", "aanstaande", "next", "this", "coming", "deze"]
    bodies: dict[str, tuple[str, str, bool]] = {
        "duration": (b, rf"(?:(?P<lo>{num})\s*(?:{rng})\s*)?(?P<n>{num})\s*(?P<unit>{units}){e}", False),
        "fixed": (b, rf"(?P<fixed>{_alt(raw['fixed'])}){e}", True),
        "clock": (
            b,
            rf"(?P<h>\d{{1,2}})(?:[:.](?P<m>\d{{2}})|u(?P<m2>\d{{2}}))\s*(?P<ap>a\.?m\.?|p\.?m\.?|uur)?{e}",
            False,
        ),
        "bare_hour": (b, rf"(?P<h>\d{{1,2}}|{_alt(numbers)})\s*(?P<ap>{ampm}){e}", False),
        "after_clock_word": (
            r"(?<![\w])",
            rf"(?:{_alt(raw['clock_words'])})\s+(?P<h>\d{{1,2}}|{_alt(numbers)})"
            rf"(?=\s*(?:$|[,.;!?)]|(?:and|en|or|of|tomorrow|today|morgen|vandaag|at the latest|uiterlijk|"
            rf"in the|'s|in de)\b|to\s+(?!(?:\d|{_alt(numbers)}|half|quarter)\b)[a-z]))",  # "at ten to call"
            True,
        ),
        "between": (
            b,
            rf"(?:tussen|between)\s+(?:{hhmm}|{_alt(numbers)})\s*(?:uur\s+)?(?:en|and|-)\s+"
            rf"(?P<h>\d{{1,2}}|{_alt(numbers)})(?:[:.](?P<m>\d{{2}}))?\s*(?P<ap>{ampm})?{e}",
            True,
        ),
        "half": (
            b,
            rf"(?:(?P<q>kwart|quarter)\s+(?P<dir>over|voor|past|to)|(?P<half>half)(?:\s+(?P<past>past))?)\s+"
            rf"(?P<h>\d{{1,2}}|{_alt(numbers)}){e}",
            False,
        ),
        "day": (b, rf"(?:(?P<next>{'|'.join(next_words)})\s+)?(?P<day>{days}){e}", False),
        "part": (b, rf"(?P<part>{_alt(raw['parts'])}){e}", True),
        "next_week": (b, rf"(?:{_alt(raw['next_week'])}){e}", True),
        "this_week": (b, rf"(?:{_alt(raw['this_week'])}){e}", True),
        "date": (
            b,
            rf"(?:(?:the\s+)?(?P<d1>\d{{1,2}}|{ordinals})(?:st|nd|rd|th|e)?\s+(?:of\s+)?(?P<m1>{_alt(raw['months'])})"
            rf"|(?P<m2>{_alt(raw['months'])})\s+(?:the\s+)?(?P<d2>\d{{1,2}}|{ordinals})(?:st|nd|rd|th)?){e}",
            False,
        ),
        "day_of_month": (  # "Friday the sixth", "vrijdag de 6e": the month is the next that has it
            r"(?<![\w])",
            rf"(?:{_alt(raw['weekdays'])}),?\s+(?P<dm>(?:the|de)\s+(?P<d>\d{{1,2}}|{ordinals})"
            rf"(?:st|nd|rd|th|e)?|(?P<d3>\d{{1,2}})(?:st|nd|rd|th|e)){e}(?!\s*(?:of\s+)?(?:{_alt(raw['months'])}))",
            True,
        ),
        "weekday_part": (  # written as one word: "donderdagochtend", "vrijdagmiddag"
            r"(?<![\w])",
            rf"(?P<wd>{_alt(raw['weekdays'])})(?P<part>{_alt(raw.get('weekday_parts') or ['(?!)'])})(?![\w])",
            True,
        ),
        "about": (
            b,
            rf"(?:een\s+)?(?P<unit>{units})\s+of\s+(?P<n>{num}){e}",
            False,
        ),  # "een minuut of tien"
        "bare_date": (  # "on the 12th", "op de 12e": the next 12th
            r"(?<![\w])",
            rf"(?:on|by|before|op|voor|uiterlijk)\s+(?:the|de)\s+(?P<dm>(?P<d>\d{{1,2}})(?:st|nd|rd|th|e)){e}"
            rf"(?!\s*(?:of\s+)?(?:{_alt(raw['months'])}))",
            True,
        ),
    }
    patterns = {name: re.compile(before + body) for name, (before, body, _) in bodies.items()}
    finds: dict[str, Finds] = dict(patterns)
    if not plain:
        for name, (before, body, jumps) in bodies.items():
            if jumps:
                finds[name] = WordStart(body, ":." if before == b else "")
    return TimeGrammar(
        duration=patterns["duration"],
        fixed=patterns["fixed"],
        clock=patterns["clock"],
        bare_hour=patterns["bare_hour"],
        after_clock_word=patterns["after_clock_word"],
        between=patterns["between"],
        half=patterns["half"],
        day=patterns["day"],
        part=patterns["part"],
        next_week=patterns["next_week"],
        this_week=patterns["this_week"],
        date=patterns["date"],
        day_of_month=patterns["day_of_month"],
        weekday_part=patterns["weekday_part"],
        about=patterns["about"],
        bare_date=patterns["bare_date"],
        finds=finds,
        past_before=re.compile(rf"(?<![\w])(?:{_alt(raw['past'])})(?![\w])"),
        past_after=re.compile(r"^\s*(?:geleden|ago)\b"),
        clock_words=frozenset(raw["clock_words"]),
        past_immediate=frozenset(raw["past_immediate"]),
        part_after=frozenset(raw["part_after"]),
        numbers=numbers,
        units={},
        raw=raw,
        unit_patterns={unit: re.compile("|".join(raw[unit])) for unit in _UNITS},
        tomorrow=re.compile("|".join(raw["tomorrow"])),
        unit_cache={},
        gates=_gates(_alt(numbers), units, days, ampm, raw),
        keys=key_gates(raw, days_words),
        needs={"ordinal": _pieces(list(raw.get("ordinals") or {}))},
    )


def _number(g: TimeGrammar, text: str) -> float:
    text = text.strip()
    if text in g.numbers:
        return g.numbers[text]
    return float(text.replace(",", "."))


def _minutes(g: TimeGrammar, n: float, unit_word: str) -> tuple[str, float]:
    unit = _unit_of(g, unit_word)
    factor = {"weeks": 7 * 24 * 60, "days": 24 * 60, "hours": 60, "minutes": 1, "seconds": 1 / 60}
    if unit == "business_days":
        return "business_days", n
    return "duration", n * factor[unit]


def _word_before(text: str, start: int) -> str:
    words = text[:start].split()
    return words[-1] if words else ""


def _is_past(g: TimeGrammar, text: str, start: int, end: int, span: bool = False) -> bool:
    clause = _CLAUSE_MARK.split(text[:start])[-1]
    words = clause.split()
    if (span and " ".join(words[-1:]) in g.past_immediate) or " ".join(words[-3:]) in g.past_immediate:
        return True
    return bool(g.past_before.search(" ".join(words[-4:])) or g.past_after.match(text[end:]))


def _hour(g: TimeGrammar, text: str) -> int:
    return int(text) if text.isdigit() else int(g.numbers.get(text, 0))


def _may(g: TimeGrammar, name: str, keys: frozenset[str]) -> bool:
    """Whether the line's keys leave pattern `name` a chance to match (`timegates.key_gates`)."""
    need = g.keys[name]
    return need is None or not need.isdisjoint(keys)


def find_times(text: str, code: str, keys: frozenset[str] | None = None) -> list[Bit]:
    """Every forward-looking time expression in a normalised line, in order; past ones are left out
    ("al 3 weken", "yesterday", "was supposed to arrive Monday", and a weekday or a date its clause says has
    passed: `engine.tense`). `keys` are the line's `text_keys` (the reading has them): a set test on
    them rules most patterns out before a regex runs."""
    bits = find_with(grammar(code), text, keys)
    if any(bit.kind in PAST_OR_AHEAD for bit in bits):
        bits = [
            bit
            for bit in bits
            if bit.kind not in PAST_OR_AHEAD or not said_of_the_past(text, bit.start, bit.end, code)
        ]
    return bits


def find_with(g: TimeGrammar, text: str, keys: frozenset[str] | None = None) -> list[Bit]:
    """`find_times` with the patterns of `g` (the tests compare the plain grammar's answers with these)."""
    if keys is None:
        keys = text_keys(text)
    bits: list[Bit] = []
    taken: list[tuple[int, int]] = []

    def free(s: int, e: int) -> bool:  # a plain loop: this runs for every match, a generator costs more
        for a, b in taken:  # noqa: SIM110
            if e > a and s < b:
                return False
        return True

    def add(kind: str, value: Any, s: int, e: int) -> None:
        if kind == "clock" and not (0 <= value[0] <= 24 and 0 <= value[1] <= 59):
            taken.append((s, e))  # "4.99" is a price, not a time
            return
        if free(s, e) and not _is_past(g, text, s, e, kind in ("duration", "business_days")):
            bits.append(Bit(kind, value, s, e))
        taken.append((s, e))

    digit = _DIGIT.search(text) is not None
    finds = g.finds
    for m in finds["between"].finditer(text) if "tussen" in text or "between" in text else ():
        add("clock", (_hour(g, m["h"]), int(m["m"] or 0), m["ap"]), m.start(), m.end())
    gates = g.gates
    for m in (
        finds["fixed"].finditer(text) if _may(g, "fixed", keys) and _at_word(gates["fixed"], text) else ()
    ):
        add("duration", float(g.raw["fixed"][m["fixed"]]), m.start(), m.end())
    for m in finds["clock"].finditer(text) if digit and gates["clock"].search(text) else ():
        add("clock", (int(m["h"]), int(m["m"] or m["m2"]), m["ap"]), m.start(), m.end())
    for m in finds["half"].finditer(text) if ("half" in text or "kwart" in text or "quarter" in text) else ():
        h = _hour(g, m["h"])
        if m["q"]:
            hour, minute = (h, 15) if m["dir"] in ("over", "past") else (h - 1, 45)
        else:
            hour, minute = (h, 30) if m["past"] else (h - 1, 30)  # Dutch "half drie" is 2:30
        add("clock", (hour, minute, None), m.start(), m.end())
    for m in finds["about"].finditer(text) if g.raw.get("unit_before_number") and " of " in text else ():
        kind, value = _minutes(g, _number(g, m["n"]), m["unit"])
        add(kind, value, m.start(), m.end())
    for m in finds["duration"].finditer(text) if gates["duration"].search(text) else ():
        if not free(m.start(), m.end()):
            continue
        n = _number(g, m["n"])
        unit = m["unit"]
        clockish = unit in ("uur", "h") and _word_before(text, m.start()) in g.clock_words and not m["lo"]
        if clockish and n.is_integer() and 0 < n <= 24:
            add("clock", (int(n), 0, None), m.start(), m.end())
            continue
        if text.startswith("'s", m.end()):
            continue  # "one week's line rental": an amount, not a time
        kind, value = _minutes(g, n, unit)
        if kind == "duration" and unit in g.raw["seconds"] and n < 10:
            continue  # "one sec" is a filler, not a time
        add(kind, value, m.start(), m.end())
    for m in finds["bare_hour"].finditer(text) if digit or _at_word(gates["bare_hour"], text) else ():
        h = _hour(g, m["h"])
        if 0 < h <= 24 and (m["ap"] not in ("uur", "u") or _word_before(text, m.start()) in g.clock_words):
            add("clock", (h, 0, m["ap"]), m.start(), m.end())
    clocked = _may(g, "after_clock_word", keys) and (digit or _at_word(gates["after_clock_word"], text))
    for m in finds["after_clock_word"].finditer(text) if clocked else ():  # "before twelve", "om drie"
        h = _hour(g, m["h"])
        if 0 < h <= 24:
            add("clock", (h, 0, None), m.start("h"), m.end())
    weekly = "week" in text
    for m in finds["next_week"].finditer(text) if weekly else ():
        add("next_week", None, m.start(), m.end())
    for m in finds["this_week"].finditer(text) if weekly else ():
        add("this_week", None, m.start(), m.end())
    spelled = g.needs["ordinal"] is not None and _present(g.needs["ordinal"], text)
    for m in finds["date"].finditer(text) if (digit or spelled) and _may(g, "date", keys) else ():
        month = g.raw["months"][m["m1"] or m["m2"]]
        dom = m["d1"] or m["d2"]
        add("date", (month, int(dom) if dom.isdigit() else int(g.raw["ordinals"][dom])), m.start(), m.end())
    for m in finds["bare_date"].finditer(text) if digit and _may(g, "bare_date", keys) else ():
        add("date", (None, int(m["d"])), m.start("dm"), m.end())
    weekday_parts = (
        g.raw.get("weekday_parts") and _may(g, "weekday_part", keys) and _at_word(gates["weekday_part"], text)
    )
    for m in finds["weekday_part"].finditer(text) if weekday_parts else ():
        if not _is_past(g, text, m.start(), m.end()):
            bits.append(Bit("weekday", g.raw["weekdays"][m["wd"]], m.start(), m.start("part")))
            bits.append(Bit("part", int(g.raw["parts"][m["part"]]), m.start("part"), m.end()))
    for m in (
        finds["day_of_month"].finditer(text) if (digit or spelled) and _may(g, "day_of_month", keys) else ()
    ):
        dom = m["d"] or m["d3"]
        number = int(dom) if dom.isdigit() else int(g.raw["ordinals"][dom])
        add("date", (None, number), m.start("dm"), m.end())
    for m in finds["part"].finditer(text) if _may(g, "part", keys) and _at_word(gates["part"], text) else ():
        word = m["part"]
        standalone = " " in word or word not in (
            "ochtend",
            "middag",
            "avond",
            "morning",
            "afternoon",
            "evening",
        )
        if (standalone or _word_before(text, m.start()).strip("'") in g.part_after) and not _is_past(
            g, text, m.start(), m.end()
        ):
            bits.append(Bit("part", int(g.raw["parts"][word]), m.start(), m.end()))
    for m in finds["day"].finditer(text) if _may(g, "day", keys) and _at_word(gates["day"], text) else ():
        if _is_past(g, text, m.start(), m.end()):
            continue
        word = m["day"]
        if word in g.raw["weekdays"]:
            bits.append(Bit("weekday", g.raw["weekdays"][word], m.start(), m.end()))
        elif word in g.raw["day_after_tomorrow"]:
            bits.append(Bit("day", 2, m.start(), m.end()))
        else:
            is_tomorrow = g.tomorrow.fullmatch(word) is not None
            bits.append(Bit("day", 1 if is_tomorrow else 0, m.start(), m.end()))
    bits.sort(key=lambda bit: bit.start)
    return bits
