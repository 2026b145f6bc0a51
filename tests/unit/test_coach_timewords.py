"""The time patterns' gates never rule out a line the pattern matches, on every corpus line and more."""

import json
import re
from pathlib import Path

from attent.coach.engine.anchors import text_keys
from attent.coach.engine.promises import _bound_before
from attent.coach.engine.rules import load_rules, normalise
from attent.coach.engine.timegates import word_keys
from attent.coach.engine.timewords import _DIGIT, _at_word, find_times, grammar
from attent.coach.evaluation import corpus_files

CORPUS = Path(__file__).resolve().parents[2] / "corpus" / "coach"
MORE = [
    "goedemorgen, ik bel u morgen om 3 uur",
    "om drie uur, om tweeuur, 12u, at twoand, at two and, before twelve.",
    "x.morgen, :morgen, vandaag.morgen, donderdagochtend, vrijdag-middag",
    "binnen 2 tot 3 werkdagen, 10min, een minuut of tien, anderhalf uur, het uur",
    "valid until   friday, ruim op tijd voor zaterdag, from the 2nd",
    "a.m. p.m 9am o'clock oclock five o'clock at ten to call",
    "om12 uur, op de 12e, on the 12th of may, friday the 6th, vrijdag de 6e, 12u30, 9.30, x12:00",
    "_morgen morgen's 'savonds 's avonds, vrijdagochtend, niet later dan 5, no later than 5, mei 3, may 3rd",
]


def _texts() -> list[str]:
    lines = {
        normalise(line["text"])
        for path in corpus_files(CORPUS)
        for line in json.loads(path.read_text(encoding="utf-8"))["lines"]
    }
    return [*sorted(lines), *(normalise(text) for text in MORE)]


def test_no_gate_rules_out_a_line_its_pattern_matches():
    texts = _texts()
    assert len(texts) > 3000
    for code in ("nl", "en"):
        g = grammar(code)
        for text in texts:
            digit = _DIGIT.search(text) is not None
            gates = {
                "fixed": _at_word(g.gates["fixed"], text),
                "duration": g.gates["duration"].search(text) is not None,
                "part": _at_word(g.gates["part"], text),
                "day": _at_word(g.gates["day"], text),
                "weekday_part": _at_word(g.gates["weekday_part"], text),
                "bare_hour": digit or _at_word(g.gates["bare_hour"], text),
                "after_clock_word": digit or _at_word(g.gates["after_clock_word"], text),
            }
            for name, passes in gates.items():
                assert passes or getattr(g, name).search(text) is None, (code, name, text)


def test_a_gate_starts_a_word_where_a_look_behind_says_so():
    gate = grammar("nl").gates["day"]
    behind = re.compile(r"(?<![\w])" + gate.pattern)
    for text in _texts():
        assert _at_word(gate, text) == (behind.search(text) is not None), text
    assert not _at_word(gate, "goedemorgen, waarmee kan ik helpen?")  # "morgen" inside a word
    assert _at_word(gate, "goedemorgen, tot morgen")


def test_a_bound_is_found_where_the_whole_line_search_finds_it():
    clauses = load_rules().clauses
    for text in [*_texts(), "valid until \t", "until", " na", "tot\n", "ruim op tijd voor  "]:
        for end in range(len(text) + 1):
            whole = clauses.bound.search(text, 0, end) is not None
            assert _bound_before(clauses, text, end) == whole, (text, end)


def test_no_key_gate_rules_out_a_line_its_pattern_or_gate_matches():
    """A line without any of a pattern's keys (`timegates.key_gates`) holds no match of the pattern, nor of
    its regex gate at a word's start; and a line without the clock gate's digits holds no clock time."""
    texts = _texts()
    for code in ("nl", "en"):
        g = grammar(code)
        assert g.keys["day"] and g.keys["after_clock_word"] and g.keys["date"]  # the sets do exist
        for text in texts:
            keys = text_keys(text)
            for name, need in g.keys.items():
                if need is None or not need.isdisjoint(keys):
                    continue
                assert getattr(g, name).search(text) is None, (code, name, text)
                if name in g.gates:
                    assert not _at_word(g.gates[name], text), (code, name, text)
            if g.gates["clock"].search(text) is None:
                assert g.clock.search(text) is None, (code, text)


def test_find_times_answers_the_same_with_the_readings_keys_as_without():
    for text in _texts()[::7]:
        for code in ("nl", "en"):
            assert find_times(text, code, text_keys(text)) == find_times(text, code), (code, text)


def test_a_words_key_is_what_every_match_of_it_starts_a_word_with():
    assert word_keys(["morgen", "eod", "end of (the )?day", "quarter-hour"], closed=True) == {
        "morg", "eod", "end", "quar",
    }  # fmt: skip
    assert word_keys(["morgens?"], closed=True) == {"morg"}  # the "s" may be missing, "morg" may not
    assert word_keys(["eod"], closed=False) is None  # "eodx" would be keyed "eodx"
    assert word_keys(["abc?"], closed=True) is None  # "ab" or "abc": no key stands for both
    assert word_keys(["(?:next) week"], closed=True) is None  # a group first: nothing to read
    assert word_keys(["a|b"], closed=True) is None
