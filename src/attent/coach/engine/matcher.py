"""Whether a line holds a phrase of a list, asking the regex of only the phrases the line's words allow.

A list's one big alternation is searched at every position of a line, and after the list-wide prefilter
(`attent.coach.engine.anchors.list_anchors`) most searches still found nothing (about 85% on the benchmark): a
line with "for" passed "sorry for the inconvenience" on to the regex. Here each phrase keeps its own
regex and the anchors it needs all of (`phrase_needs`); the line's keys pick the phrases whose rarest
anchor they hold (one set intersection), the phrase's other anchors are checked, then its plain text
("in huis", " inconvenience": `required_literal`) with `in`, and only then its small regex runs. Phrases
with no anchor to read (`mm+`) are searched as one alternation, always. Nothing is cached across lines or
contacts: each answer is worked out from the line itself (`Reading` keeps it for that contact only).

The answer is the one the list's alternation gives: a match of "a|b" is a match of "a" or of "b" (Python's
`re` tries every alternative at every position), and each phrase keeps the list's word boundaries.
`tests/unit/test_coach_anchors.py` checks this against the plain regex on every corpus line.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass

from attent.coach.engine.anchors import split_top
from attent.coach.engine.needs import Need, phrase_needs, required_literal


def compile_phrases(items: Iterable[str]) -> re.Pattern[str]:
    """One regex for phrases, whole words only, longest phrase first (what `rules.phrases` compiles)."""
    ordered = sorted(set(items), key=len, reverse=True)
    return re.compile(r"(?<![\w])(?:" + "|".join(ordered) + r")(?![\w])")


class WordStart:
    """A phrase that starts with a plain letter, searched without the look-behind that starts a phrase's
    regex: a regex that starts with a look-behind is tried at every position of the line, one that starts with
    letters lets the engine jump to them (about five times faster). Whether the match starts a word is then
    checked here, and the search goes on from the next position where it does not, so the answer is the
    regex's own: it matches at a position exactly when the look-behind holds there and the rest matches."""

    __slots__ = ("rest",)

    def __init__(self, phrase: str) -> None:
        self.rest = re.compile(r"(?:" + phrase + r")(?![\w])")

    def search(self, text: str) -> bool:
        """Whether `text` holds the phrase as whole words (what `compile_phrases([phrase]).search` finds)."""
        rest, at = self.rest, 0
        while (found := rest.search(text, at)) is not None:
            start = found.start()
            if start == 0 or not (text[start - 1].isalnum() or text[start - 1] == "_"):  # `re`'s \w
                return True
            at = start + 1
        return False


def phrase_searcher(phrase: str) -> "re.Pattern[str] | WordStart":
    """What to search a phrase with: `WordStart` where its regex starts with a letter to jump to, else its
    regex (a phrase that starts with a group or a class gains nothing from losing the look-behind)."""
    if phrase[:1].isalnum() and phrase[1:2] not in ("?", "*", "{", "|") and len(split_top(phrase)) == 1:
        return WordStart(phrase)
    return compile_phrases([phrase])


# A phrase's search (its regex, or `WordStart`), a piece of text every match holds ("" when none), the single
# keys it needs besides its trigger (one subset test), and its other groups.
Candidate = tuple["re.Pattern[str] | WordStart", str, frozenset[str], tuple[Need, ...]]


@dataclass(frozen=True, slots=True)
class ListMatcher:
    """One phrase list, indexed by the anchor that rules each phrase in."""

    triggers: frozenset[str]  # every key that rules some phrase in
    by_key: dict[str, tuple[Candidate, ...]]
    always: re.Pattern[str] | None  # the phrases without anchors, searched on every line

    def search(self, text: str, keys: frozenset[str]) -> bool:
        """Whether `text` (whose `text_keys` are `keys`) holds a phrase of the list."""
        by_key = self.by_key
        for key in self.triggers.intersection(keys):
            for pattern, literal, words, groups in by_key[key]:
                if not words <= keys or literal not in text:  # both far cheaper than the regex
                    continue
                for need in groups:
                    if need.isdisjoint(keys):
                        break
                else:
                    if pattern.search(text):  # a match object or True: both true; None or False: not
                        return True
        return self.always is not None and self.always.search(text) is not None


def list_matcher(items: Iterable[str]) -> ListMatcher:
    """The matcher for a phrase list as the rule book writes it."""
    by_key: dict[str, list[Candidate]] = {}
    unread: list[str] = []
    for phrase in sorted(set(items), key=len, reverse=True):
        ways = phrase_needs(phrase)
        if ways is None:
            unread.append(phrase)
            continue
        pattern = phrase_searcher(phrase)
        for first, *rest in ways:
            words = frozenset(key for need in rest if len(need) == 1 for key in need)
            groups = tuple(need for need in rest if len(need) > 1)
            entry = (pattern, required_literal(phrase) or "", words, groups)
            for key in first:
                entries = by_key.setdefault(key, [])
                if entry not in entries:
                    entries.append(entry)
    return ListMatcher(
        triggers=frozenset(by_key),
        by_key={key: tuple(entries) for key, entries in by_key.items()},
        always=compile_phrases(unread) if unread else None,
    )


class ListBook:
    """A language's phrase lists numbered, and for each key the lists it may rule in: what `Reading.has` asks.

    A line's keys give, in one pass, the set of lists it could match (`maybe`); asking about any other list is
    then one set test on a number, where it was a tuple key, a dict lookup and a set-disjointness test."""

    def __init__(
        self, lists: dict[tuple[str, str], ListMatcher], anchored: frozenset[tuple[str, str]] = frozenset()
    ) -> None:
        self.slots: dict[str, dict[str, int]] = {}  # section -> name -> the list's number
        self.matchers: list[ListMatcher] = []
        by_key: dict[str, set[int]] = {}
        always: set[int] = set()
        for (section, name), matcher in lists.items():
            slot = len(self.matchers)
            self.slots.setdefault(section, {})[name] = slot
            self.matchers.append(matcher)
            if matcher.always is not None:
                always.add(slot)
            for key in matcher.triggers:
                by_key.setdefault(key, set()).add(slot)
        self.by_key = {key: frozenset(slots) for key, slots in by_key.items()}
        self.always = frozenset(always)
        # lists with a phrase tied to the text's start or end: a part may match where the whole line does not
        self.anchored = frozenset(self.slots[section][name] for section, name in anchored)

    def maybe(self, keys: frozenset[str]) -> set[int]:
        """The lists a line with these keys may hold a phrase of (with those searched on every line)."""
        found = set(self.always)
        by_key = self.by_key
        for key in keys:
            slots = by_key.get(key)
            if slots is not None:
                found |= slots
        return found
