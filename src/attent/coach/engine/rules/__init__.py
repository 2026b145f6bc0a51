"""The coach's rule book: phrase lists per language and thresholds, read from the TOML files beside this one.

The lists are data so an admin can read (and a team can change) what the coach listens for without
reading Python; the code in `attent.coach.engine.behaviours` only says how the lists combine.
"""

import re
import tomllib
from dataclasses import dataclass
from datetime import time, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

from attent.coach.engine.anchors import Anchors, list_anchors
from attent.coach.engine.language import EN_WORDS, NL_WORDS
from attent.coach.engine.language import normalise as normalise  # where the rule book's readers find it
from attent.coach.engine.matcher import ListBook, ListMatcher, compile_phrases, list_matcher

HERE = Path(__file__).parent
LANGUAGES = ("nl", "en")


def phrases(items: list[str]) -> re.Pattern[str]:
    """One regex for a phrase list, whole words only, longest phrase first."""
    return compile_phrases(items)


@dataclass(frozen=True)
class Language:
    """One language's compiled phrase lists (`p(section, name)`), phrasings and raw time words."""

    code: str
    patterns: dict[tuple[str, str], re.Pattern[str]]
    phrasing: dict[str, str]
    time: dict[str, Any]
    filler_max_words: int
    raw: dict[str, Any]
    anchors: dict[tuple[str, str], Anchors | None]  # prefilter per list
    anchored: frozenset[tuple[str, str]]  # lists with a phrase tied to the text's start or end
    matchers: dict[tuple[str, str], ListMatcher]  # each list's matcher
    book: ListBook  # the same matchers, numbered: what `Reading.has` asks

    def p(self, section: str, name: str) -> re.Pattern[str]:
        """The compiled phrase list `name` of `section`."""
        return self.patterns[(section, name)]


@dataclass(frozen=True)
class Clauses:
    """Where a time is not a promise's due time, and how promises are told apart.

    From common.toml's `[clauses]` (the words) and `[promises]` (the thresholds)."""

    condition: re.Pattern[str]  # a sentence that opens on a condition ("if ...", "maar als ...")
    condition_then: re.Pattern[str]  # the "then ..." sentence after one
    clause_end: re.Pattern[str]  # where a clause ends
    question_tag: re.Pattern[str]  # "..., okay?" at a question's end
    bound: re.Pattern[str]  # "valid until", "vanaf": at the end of the text before a time
    bound_chars: int  # the longest bound, in characters
    counted_back: re.Pattern[str]  # "before he arrives": right after a duration
    short_step_minutes: int
    repeat: timedelta
    confirm_window_lines: int
    past_days: int


@dataclass(frozen=True)
class Empathy:
    """When an acknowledgement names the customer's situation (`[empathy]` in common.toml)."""

    situation_words: int
    min_words: int
    backchannel_words: int
    mirrored_words: int
    not_content: frozenset[str]  # the language words and `not_content`: never a word of the situation


@dataclass(frozen=True)
class RuleSet:
    """Both languages and the shared thresholds."""

    languages: dict[str, Language]
    silent_gap_seconds: float
    announce_window_lines: int
    closing_agent_lines: int
    reason_window_lines: int
    business_days: tuple[int, ...]
    business_start: time
    business_end: time
    behaviours: tuple[str, ...]
    policy_facts: dict[str, frozenset[str]]
    forbidden: tuple[str, ...]  # the kinds of data the coach flags: `policy_facts`' keys, in order
    time_gate: re.Pattern[str]  # a line with none of these words (and no digit) holds no time words
    speaker_labels: dict[str, str]  # a pasted line's label ("klant", "medewerker"), folded: its speaker
    clauses: Clauses
    empathy: Empathy


NOT_PHRASES = ("time", "phrasing", "tense")  # sections of the rule book that hold no phrase lists


def _language(code: str) -> Language:
    raw = tomllib.loads((HERE / f"{code}.toml").read_text(encoding="utf-8"))
    lists: dict[tuple[str, str], list[str]] = {
        (section, name): items
        for section, body in raw.items()
        if section not in NOT_PHRASES
        for name, items in body.items()
        if isinstance(items, list)
    }
    anchored = frozenset(key for key, items in lists.items() if any("^" in i or "$" in i for i in items))
    matchers = {key: list_matcher(items) for key, items in lists.items()}
    return Language(
        code=code,
        patterns={key: phrases(items) for key, items in lists.items()},
        phrasing=dict(raw["phrasing"]),
        time=raw["time"],
        filler_max_words=int(raw["narrates"]["filler_max_words"]),
        raw=raw,
        anchored=anchored,
        anchors={key: list_anchors(items) for key, items in lists.items()},
        matchers=matchers,
        book=ListBook(matchers, anchored),
    )


def _alternatives(words: list[str]) -> str:
    return "|".join(words)


def _clauses(common: dict[str, Any]) -> Clauses:
    c, p = common["clauses"], common["promises"]
    joins = "".join(f"{word} |" for word in c["condition_joins"]).rstrip("|")
    return Clauses(
        condition=re.compile(rf"(?:{joins})?(?:{_alternatives(c['conditions'])})\b"),
        condition_then=re.compile(rf"(?:{_alternatives(c['condition_then'])})\b"),
        clause_end=re.compile(rf",? (?:{_alternatives(c['clause_ends'])}) |[,;]"),
        question_tag=re.compile(rf",? (?:{_alternatives(c['question_tags'])})\?$"),
        bound=re.compile(rf"\b(?:{_alternatives(c['bounds'])})\s*$"),
        bound_chars=max(map(len, c["bounds"])),
        counted_back=re.compile(rf"^\s*(?:{_alternatives(c['counted_back'])})\b"),
        short_step_minutes=int(p["short_step_minutes"]),
        repeat=timedelta(minutes=int(p["repeat_minutes"])),
        confirm_window_lines=int(p["confirm_window_lines"]),
        past_days=int(p["past_days"]),
    )


def _empathy(common: dict[str, Any]) -> Empathy:
    e = common["empathy"]
    return Empathy(
        situation_words=int(e["situation_words"]),
        min_words=int(e["min_words"]),
        backchannel_words=int(e["backchannel_words"]),
        mirrored_words=int(e["mirrored_words"]),
        not_content=NL_WORDS | EN_WORDS | frozenset(e["not_content"]),
    )


@lru_cache(maxsize=1)
def load_rules() -> RuleSet:
    """The rule book, read and compiled once per process."""
    common = tomllib.loads((HERE / "common.toml").read_text(encoding="utf-8"))
    return RuleSet(
        languages={code: _language(code) for code in LANGUAGES},
        silent_gap_seconds=float(common["silent_gap_seconds"]),
        announce_window_lines=int(common["announce_window_lines"]),
        closing_agent_lines=int(common["closing_agent_lines"]),
        reason_window_lines=int(common["reason_window_lines"]),
        business_days=tuple(common["business_days"]),
        business_start=time.fromisoformat(common["business_start"]),
        business_end=time.fromisoformat(common["business_end"]),
        behaviours=tuple(common["behaviours"]),
        policy_facts={k: frozenset(v) for k, v in common["policy_facts"].items()},
        forbidden=tuple(common["policy_facts"]),
        time_gate=re.compile(_alternatives(common["time_gate"]["words"])),
        speaker_labels={
            label: speaker for speaker, labels in common["speaker_labels"].items() for label in labels
        },
        clauses=_clauses(common),
        empathy=_empathy(common),
    )
