"""The coach's rule book: phrase lists per language and thresholds, read from the TOML files beside this one.

The lists are data so an admin can read (and a team can change) what the coach listens for without
reading Python; the code in `attent.coach.engine.behaviours` only says how the lists combine.
"""

import re
import tomllib
from dataclasses import dataclass
from datetime import time
from functools import lru_cache
from pathlib import Path
from typing import Any

from attent.coach.engine.anchors import Anchors, list_anchors
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
    )
