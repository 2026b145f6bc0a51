"""The reading's shortcuts give the answers of the plain code they replace, on every corpus line."""

import json
import re
from pathlib import Path

from attent.coach.engine.anchors import text_keys
from attent.coach.engine.language import line_scores
from attent.coach.engine.matcher import WordStart, compile_phrases
from attent.coach.engine.reading import Reading, line_words, read_line
from attent.coach.engine.rules import load_rules, normalise
from attent.coach.engine.transcript import Line, Transcript
from attent.coach.evaluation import corpus_files

CORPUS = Path(__file__).resolve().parents[2] / "corpus" / "coach"
ODD = [
    "",
    "?",
    "...",
    "it's 12:00, e-mail me: a_b@x.nl!",
    "Don't SHOUT.  Twee\tspaties",
    "ÉÉN keer, straße, café's",
    "x.morgen om 3u; half drie? ja! nee.",
    "don't.",
    "_a b_ 4411-2087, bp4471902",
    "ik bel u\nmorgen terug",
]


def _raw_lines() -> list[str]:
    corpus = (
        line["text"]
        for path in corpus_files(CORPUS)
        for line in json.loads(path.read_text(encoding="utf-8"))["lines"]
    )
    return [*corpus, *ODD]


def test_a_line_is_read_as_normalise_text_keys_and_line_scores_read_it():
    raw = _raw_lines()
    assert len(raw) > 3000
    for text in raw:
        normalised = normalise(text)
        assert read_line(text) == (normalised, text_keys(normalised), line_scores(normalised)), text
        assert line_words(normalised) == (text_keys(normalised), line_scores(normalised)), text
        assert line_words(text) == (text_keys(text), line_scores(text)), text  # not normalised: the long way


def test_sentences_split_where_the_sentence_regex_splits():
    texts = [normalise(text) for text in _raw_lines()]
    reading = Reading(Transcript(tuple(Line("agent", text) for text in texts)), rules=load_rules())
    for index, text in enumerate(texts):
        out, start = [], 0
        for m in re.finditer(r"(?<=[.!?;])\s+", text):
            out.append((start, text[start : m.start()]))
            start = m.end()
        out.append((start, text[start:]))
        assert reading.sentences(index) == [(s, t) for s, t in out if t.strip()], text


def test_a_phrase_that_starts_with_a_letter_matches_where_its_regex_does():
    phrases = ["sorry for (the|any) inconvenience", "bel (je|u) terug", "e-?mail", "it's", "a", "u", "ik"]
    texts = [normalise(text) for text in _raw_lines()] + ["_a", "xa", "a", "ba a", "1u u", "e-mail-e-mail"]
    for phrase in phrases:
        pattern, searcher = compile_phrases([phrase]), WordStart(phrase)
        for text in texts:
            assert searcher.search(text) == (pattern.search(text) is not None), (phrase, text)


def test_has_none_says_so_only_where_has_answers_false_for_every_list():
    """`Reading.has_none` (one set test for several lists) against `has` for each list, on every corpus line
    in both languages, for the lists a rule asks together and for every section's lists at once."""
    rules = load_rules()
    raw = _raw_lines()
    lines = tuple(Line("agent", text, float(n)) for n, text in enumerate(raw))
    reading = Reading(Transcript(lines), rules)
    groups = {("minimal_verification", rules.forbidden)}
    for language in rules.languages.values():
        for section in {section for section, _ in language.matchers}:
            groups.add((section, tuple(sorted(name for s, name in language.matchers if s == section))))
    said = 0
    for code, language in rules.languages.items():
        reading._langs = [language] * len(lines)  # ask every line in each language
        reading._books = [language.book] * len(lines)
        reading._maybe = [language.book.maybe(keys) for keys in reading.keys]
        reading._found = [{} for _ in lines]
        for section, names in groups:
            names = tuple(name for name in names if (section, name) in language.matchers)
            for i in range(len(lines)):
                if reading.has_none(i, section, names):
                    said += 1
                    assert not any(reading.has(i, section, name) for name in names), (code, section, raw[i])
    assert said > 1000  # it does rule lines out
