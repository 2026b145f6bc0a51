"""The phrase-list prefilter never changes a result: every corpus line, every list, both languages."""

import json
import re
from pathlib import Path

from attent.coach.engine.anchors import line_keys, list_anchors, may_match, phrase_anchors, text_keys
from attent.coach.engine.matcher import phrase_needs, required_literal
from attent.coach.engine.rules import load_rules, normalise
from attent.coach.evaluation import corpus_files

CORPUS = Path(__file__).resolve().parents[2] / "corpus" / "coach"


def _lines() -> set[str]:
    return {
        normalise(line["text"])
        for path in corpus_files(CORPUS)
        for line in json.loads(path.read_text(encoding="utf-8"))["lines"]
    }


def test_the_prefilter_rules_out_no_line_the_regex_matches():
    texts = _lines()
    assert len(texts) > 3000
    ruled_out = 0
    for language in load_rules().languages.values():
        for key, pattern in language.patterns.items():
            anchors = language.anchors[key]
            for text in texts:
                allowed = may_match(anchors, *line_keys(text))
                assert allowed or pattern.search(text) is None, (language.code, key, text)
                ruled_out += not allowed
    assert ruled_out > 100_000  # and it does rule most pairs out, or it would not be worth having


def test_anchors_read_from_the_phrase_itself():
    assert phrase_anchors("sorry for (the|any) inconvenience") == {("stem", "sorr")}
    assert phrase_anchors("refund(ed|ing)?") == {("stem", "refu")}
    calls = {("stem", "call"), ("stem", "ring"), ("stem", "phon")}
    assert phrase_anchors("(call|ring|phone)s? (you|u)") == calls
    assert phrase_anchors("^so\\b") == {("word", "so")}
    assert phrase_anchors("colou?r") == {("stem", "colo")}
    assert phrase_anchors("e-?mail(adres)?") == {("word", "e"), ("stem", "emai")}  # optional parts
    assert phrase_anchors("(rot|pech|baal)moment") == {("stem", "rotm"), ("stem", "pech"), ("stem", "baal")}
    assert phrase_anchors("z\\.s\\.m\\.?") == {("word", "z")}
    assert phrase_anchors("mm+") is None  # nothing to read: the list is always searched
    assert list_anchors(["one moment", "mm+"]) is None


def test_a_line_without_the_anchor_words_is_ruled_out_and_one_with_them_is_not():
    anchors = list_anchors(["sorry for (the|any) inconvenience", "my apologies"])
    assert not may_match(anchors, *line_keys("thanks for waiting"))
    assert may_match(anchors, *line_keys("so sorry for the inconvenience"))
    assert may_match(anchors, *line_keys("my apologies"))


def test_the_matcher_answers_what_the_list_regex_answers():
    """Every corpus line and each of its sentences, every list, both languages (`engine.matcher`)."""
    texts = _lines()
    texts |= {part for text in texts for part in re.split(r"(?<=[.!?;])\s+", text)}
    for language in load_rules().languages.values():
        for key, pattern in language.patterns.items():
            matcher = language.matchers[key]
            for text in texts:
                found = pattern.search(text) is not None
                assert matcher.search(text, text_keys(text)) == found, (language.code, key, text)


def test_a_phrase_needs_each_word_and_group_it_cannot_match_without():
    assert phrase_needs("sorry for (the|any) inconvenience") == [
        (frozenset({"inco"}), frozenset({"sorr"}), frozenset({"for"}), frozenset({"the", "any"}))
    ]
    assert phrase_needs("(is|was) (so |very )?late") == [(frozenset({"late"}), frozenset({"is", "was"}))]
    assert phrase_needs("refund(ed)?") == [(frozenset({"refu"}),)]
    assert phrase_needs("(be|get) ?(sent|back)") is None  # "getsent": neither is a word of its own
    assert phrase_needs("mm+") is None


def test_a_phrase_holds_its_plain_text_in_every_match():
    assert required_literal("in huis") == "in huis"
    assert required_literal("sorry for (the|any) inconvenience") == " inconvenience"
    assert required_literal("colou?r") == "colo"  # the "u" may be absent
    assert required_literal("(keren|keer) .{0,30}uit") == "uit"  # "{0,30}" is no text
    assert required_literal("a|b") is None


def test_a_lines_keys_are_its_words_cut_to_a_stem():
    for text in _lines():
        assert text_keys(text) == frozenset(w[:4] for w in re.findall(r"\w+", text)), text
