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

**The anchors a phrase needs all of** (`phrase_needs`): a stronger prefilter than `engine.anchors`.

`phrase_anchors` keeps one anchor per way a phrase can match (the rarest word), which is enough to rule a
whole list out. The matcher asks per phrase, so here a phrase keeps every anchor it cannot match
without: its words, and each group that must match and starts a word ("(it's|that's) (annoying|rotten)"
needs "anno" or "rott" as well as "it" or "that"). The same reading of the regex, the same soundness: a
line without them cannot hold the phrase (`tests/unit/test_coach_anchors.py` checks every corpus line).
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass

from attent.coach.engine.anchors import (
    _OPTIONAL,
    _SEPARATORS,
    COMMON,
    COMMON_COST,
    _anchor,
    _boundary,
    _group_end,
    _leading_group,
    _quantified_end,
    _variants,
    split_top,
)

Need = frozenset[str]  # keys (`text_keys`) of which a line must hold one
Conjunction = tuple[Need, ...]  # a line must hold one key of each


def _key(anchor: tuple[str, str]) -> str:
    return anchor[1]  # "word" anchors are shorter than STEM letters, stems exactly STEM: they never collide


def phrase_needs(phrase: str) -> list[Conjunction] | None:
    """Every set of anchors a match of `phrase` holds all of, one set per way it can match (a top-level
    alternative or a spelled-out optional part), or None when one of them has none.

    `phrase_anchors` keeps one anchor per way (the rarest); every word it chooses from stands in every
    match, so requiring all of them rules out more lines (a line with "for" but no "inco" cannot hold
    "sorry for the inconvenience") and never one that matches."""
    direct = _direct_needs(phrase)
    if direct is not None:
        return direct
    variants = _variants(phrase)
    if not variants or variants == [phrase]:
        return None
    out: list[Conjunction] = []
    for variant in variants:
        found = _direct_needs(variant)
        if found is None:
            return None
        out += found
    return out


def _direct_needs(phrase: str) -> list[Conjunction] | None:
    parts = split_top(phrase)
    if len(parts) > 1:
        out: list[Conjunction] = []
        for part in parts:
            found = _direct_needs(part)
            if found is None:
                return None
            out += found
        return out
    options = _scan_needs(phrase)
    if not options:
        return None
    needs = {frozenset(_key(a) for a in option): _rarity(option) for option in options}
    return [tuple(sorted(needs, key=lambda need: (needs[need], sorted(need))))]  # the rarest first


def _rarity(option: set[tuple[str, str]]) -> int:
    """Like `_cost`, but a function word outweighs a whole group of others: "i" is in most English lines,
    one of twenty verbs in few."""
    rare = COMMON_COST * COMMON_COST
    return sum(rare if kind == "word" and value in COMMON else 1 for kind, value in option)


def _scan_needs(phrase: str) -> list[set[tuple[str, str]]] | None:
    """The anchors a phrase without top-level alternatives needs all of (each a set of which one will do):
    its words at the top, and each group at the top that must match and starts a word. A word after an
    optional group whose alternatives end in a space starts a word too ("(so |really )?late")."""
    out: list[set[tuple[str, str]]] = []
    i, word, start, at_start = 0, "", True, True

    def close(ends: bool) -> None:
        nonlocal word
        if word and (anchor := _anchor(word, start, ends)):
            out.append({anchor})
        word = ""

    while i < len(phrase):
        c = phrase[i]
        if c == "\\":
            escaped = phrase[i + 1 : i + 2]
            optional = phrase[i + 2 : i + 3] in _OPTIONAL
            separator = escaped == "b" or not (escaped.isalnum() or escaped == "_")
            close(separator and (not optional or _boundary(phrase, _quantified_end(phrase, i + 2))))
            at_start = separator and not optional
            i += 2
        elif c == "[":
            end = phrase.find("]", i + 1)
            if end < 0:
                return None
            close(False)
            at_start, i = False, end + 1
        elif c == "(":
            end, alts = _group_end(phrase, i)
            after = _quantified_end(phrase, end)
            if phrase.startswith("(?", i) or not alts:
                close(False)
                at_start, i = False, after
                continue
            optional = phrase[end : end + 1] in _OPTIONAL
            spaced_start = all(alt[:1] in _SEPARATORS for alt in alts)
            close(spaced_start and (not optional or _boundary(phrase, after)))
            if at_start and not optional and (group := _leading_group(phrase[i:])):
                out.append(group)
            at_start = all(alt[-1:] == " " for alt in alts) and (at_start or not optional)
            i = after
        elif c in "?*+{":
            if word:  # the last letter is optional or repeated: the word we can rely on ends before it
                word = word[:-1]
                close(False)
            at_start = False
            i = _quantified_end(phrase, i) if c == "{" else i + 1
        elif c in ")|":
            return None
        elif c == "^":
            at_start, i = True, i + 1
        elif c == "$":
            close(True)
            i += 1
        elif c == ".":
            close(False)
            at_start, i = False, i + 1
        elif not (c.isalnum() or c == "_"):  # a separator: the line's words split here too
            optional = phrase[i + 1 : i + 2] in _OPTIONAL
            close(not optional)
            at_start, i = not optional, i + 1
        else:
            if not word:
                start = at_start
            word += c
            at_start, i = False, i + 1  # a group right after a letter ("refund(ed)?") starts no word
    close(True)
    return out


_PLAIN = frozenset(" '-,:;!/#&%@\"")
MIN_LITERAL = 3  # shorter runs ("a ", "'s") are in most lines: the substring test would not pay


def required_literal(phrase: str) -> str | None:
    """The longest run of plain characters at the top of `phrase` that every match holds ("in huis",
    "never "), for a substring test before the regex; None when there is none worth testing."""
    if len(split_top(phrase)) > 1:
        return None
    best, run, i = "", "", 0
    while i < len(phrase):
        c = phrase[i]
        if c.isalnum() or c in _PLAIN:
            run = "" if phrase[i + 1 : i + 2] in _OPTIONAL else run + c  # "colou?r": the "u" may be absent
            best = max(best, run, key=len)
            i += 1
            continue
        run = ""  # anything else (an escape, a class, a group, a quantifier, ".", "^") ends the run
        if c == "\\":
            i += 2
        elif c == "[":
            end = phrase.find("]", i + 1)
            i = end + 1 if end >= 0 else len(phrase)
        elif c == "(":
            i, _ = _group_end(phrase, i)
        else:
            i = _quantified_end(phrase, i) if c == "{" else i + 1  # "{0,40}" is no text
    return best if len(best) >= MIN_LITERAL else None


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
