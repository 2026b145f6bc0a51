"""The factored time patterns (`attent.coach.engine.timetrie`) find exactly what the plain ones do.

Compared on every corpus line, the benchmark's lines and a few thousand generated ones that mix numbers,
units, days, parts of the day and clock times of both languages: each pattern's matches (spans and
groups), and `find_times`' answers, of the grammar as shipped against the plain grammar built from the
same lists (one alternation per list, longest word first, each pattern led by its look-behind).
"""

import json
import random
import re
from functools import cache
from pathlib import Path

from attent.coach.engine.anchors import text_keys
from attent.coach.engine.rules import load_rules, normalise
from attent.coach.engine.timetrie import WordStart, plain_alt, trie
from attent.coach.engine.timewords import TimeGrammar, compile_grammar, find_times, find_with, grammar
from attent.coach.evaluation import corpus_files
from bench.coach import AGENT, CUSTOMER

CORPUS = Path(__file__).resolve().parents[2] / "corpus" / "coach"
CODES = ("nl", "en")
PATTERNS = (
    "duration", "fixed", "clock", "bare_hour", "after_clock_word", "between", "half", "day", "part",
    "next_week", "this_week", "date", "day_of_month", "weekday_part", "about", "bare_date",
)  # fmt: skip
FILLER = ["ik", "bel", "u", "we", "the", "call", "you", "back", "in", "de", "om", "at", "by", "is", "nog"]
FILLER += ["kan", "i'll", "het", "x", "_", "tot", "en", "and", "or", "of", "to", "past", "over", "ago"]
CLOCKS = ["12:00", "9.30", "12u30", "3pm", "3 p.m.", "10 am", "7u", "4.99", "25:70", "1,5", "2.5", "12th"]
MARKS = [",", ".", "?", "!", ":", "-", "'", "'s", ";", ")", ""]


@cache
def plain(code: str) -> TimeGrammar:
    return compile_grammar(load_rules().languages[code].time, plain=True)


@cache
def words(code: str) -> list[str]:
    """The time words of a language as the rule book writes them, regex sources left out."""
    raw = load_rules().languages[code].time
    out: list[str] = []
    for value in raw.values():
        if isinstance(value, (list, dict)):
            out += [w for w in value if re.fullmatch(r"[a-z' -]+", w)]
    return out


def corpus_texts() -> list[str]:
    lines = {
        normalise(line["text"])
        for path in corpus_files(CORPUS)
        for line in json.loads(path.read_text(encoding="utf-8"))["lines"]
    }
    lines.update(normalise(text) for text in AGENT + CUSTOMER)
    return sorted(lines)


def generated(count: int, seed: int) -> list[str]:
    """Lines of time words of both languages, digits, clock times, fillers and marks, glued or spaced."""
    rng = random.Random(seed)
    pool = words("nl") + words("en")
    out = []
    for _ in range(count):
        parts = []
        for _ in range(rng.randint(1, 9)):
            roll = rng.random()
            if roll < 0.45:
                piece = rng.choice(pool)
            elif roll < 0.6:
                piece = str(rng.choice([0, 1, 2, 3, 5, 9, 10, 12, 15, 24, 30, 45, 90, 123]))
            elif roll < 0.7:
                piece = rng.choice(CLOCKS)
            else:
                piece = rng.choice(FILLER)
            parts.append(piece + (rng.choice(MARKS) if rng.random() < 0.25 else ""))
            parts.append(rng.choice([" ", " ", " ", "", "  "]))
        out.append("".join(parts).strip())
    return out


def all_texts() -> list[str]:
    return corpus_texts() + generated(4000, 20261122)


def _found(finds: object, text: str) -> list[tuple[tuple[int, int], dict[str, str | None]]]:
    return [(m.span(), m.groupdict()) for m in finds.finditer(text)]  # type: ignore[attr-defined]


def test_each_pattern_finds_what_the_plain_one_finds():
    texts = all_texts()
    assert len(texts) > 8000
    for code in CODES:
        new, old = grammar(code), plain(code)
        assert any(isinstance(new.finds[name], WordStart) for name in PATTERNS)  # the fast path is taken
        assert new.duration.pattern != old.duration.pattern  # and the alternations are factored
        hits = 0
        for text in texts:
            for name in PATTERNS:
                want = _found(old.finds[name], text)
                assert _found(new.finds[name], text) == want, (code, name, text)
                assert _found(getattr(new, name), text) == want, (code, name, text)
                hits += len(want)
        assert hits > 2000  # the lines do hold time words


def test_find_times_answers_as_the_plain_grammar_does():
    for text in all_texts():
        keys = text_keys(text)
        for code in CODES:
            assert find_with(grammar(code), text, keys) == find_with(plain(code), text, keys), (code, text)
    assert find_times("ik bel u binnen een kwartier terug", "nl")[0].value == 15.0


def test_a_trie_takes_the_alternative_the_plain_alternation_takes():
    lists = [
        ["een", "eentje", "een paar", "elf", "e"],
        ["werkdag", "werkdagen", "werkdag(en)?", "werk dagen", "werk"],
        ["week", "weeks", "weekdays", "work days?", "workdays?", "end of (the )?day", "end"],
        ["a", "an", "a few", "a couple of", "an hour and a half", "ab-c", "a.m"],
    ]
    for code in CODES:
        raw = load_rules().languages[code].time
        lists += [list(value) for value in raw.values() if isinstance(value, (list, dict)) and value]
    texts = corpus_texts()[::5] + generated(1500, 7)
    for items in lists:
        ends = [r"", r"(?![\w])", r"\s+(?:dagen|days?|of)\b", r"s?(?![\w])"]  # force the engine to go back
        for end in ends:
            mine = re.compile(rf"(?:{trie(items)}){end}")
            theirs = re.compile(rf"(?:{plain_alt(items)}){end}")
            for text in texts:
                for at in range(len(text)):
                    got, want = mine.match(text, at), theirs.match(text, at)
                    assert (got and got.span()) == (want and want.span()), (items, end, text, at)


def test_a_trie_factors_plain_words_and_keeps_the_others_in_order():
    assert trie(["een", "eentje", "elf"]) == "e(?:en(?:tje)?|lf)"
    assert trie(["dag", "werkdag(en)?", "werkdagen", "week"]) == "werkdag(en)?|werkdagen|week|dag"
    assert re.fullmatch(trie(["een", "een paar"]), "een paar")


def test_a_word_start_search_sees_the_look_behind_and_resumes_at_each_end():
    finds = WordStart(r"(?:om|at)\s+\d+", ":.")
    text = "om 3, bom 4, :at 5, x.om 6, at 7at 8 at 9"
    plain_pattern = re.compile(r"(?<![\w:.])(?:om|at)\s+\d+")
    assert _found(finds, text) == _found(plain_pattern, text)
    assert [m.group(0) for m in finds.finditer(text)] == ["om 3", "at 7", "at 9"]
