"""A cheap test that rules a phrase list out before its regex runs: the words every phrase must contain.

Most lines hold no phrase of most lists, and a set lookup on the line's words costs far less than a
regex search. For each phrase we read, from the regex itself, one word it cannot match without: a whole
word ("so", "ai") or the first four letters of a longer one ("inconvenience" -> "inco", "refund(ed)?" ->
"refu"). A list whose phrases all have one gets a prefilter; a list with any phrase we cannot read (a
pattern that starts with `\\w*` or `.{0,30}`) is always searched. The prefilter never changes a result:
`tests/unit/test_coach_anchors.py` checks it against the plain regex on every corpus line.
"""

import re
from dataclasses import dataclass

from attent.coach.engine.language import EN_WORDS, NL_WORDS

STEM = 4  # letters of a long word that stand for it
COMMON_COST = 20  # an anchor on "the" or "ik" filters almost nothing: prefer any other
_WORD = re.compile(r"\w+")
_KEY = re.compile(rf"(\w{{1,{STEM}}})\w*")  # a word's first STEM letters (all of a shorter one)
_LETTERS = re.compile(r"[a-z0-9]+")
COMMON = NL_WORDS | EN_WORDS | {"is", "it", "on", "by", "as", "up", "no", "om", "als", "ons", "wij", "we"}


@dataclass(frozen=True, slots=True)
class Anchors:
    """Whole words and word stems of which a line must hold at least one for the list to match."""

    words: frozenset[str]
    stems: frozenset[str]


def line_keys(text: str) -> tuple[frozenset[str], frozenset[str]]:
    """The words of a normalised line and the stems of its long words."""
    words = frozenset(_WORD.findall(text))
    return words, frozenset(w[:STEM] for w in words if len(w) >= STEM)


def text_keys(text: str) -> frozenset[str]:
    """`line_keys` as one set: each word cut to its stem. A whole-word anchor is shorter than a stem
    (`_anchor`), so a short word and a stem never stand for the same key."""
    return frozenset(_KEY.findall(text))  # the regex cuts each word: no Python loop over the words


def may_match(anchors: Anchors | None, words: frozenset[str], stems: frozenset[str]) -> bool:
    """False only when the list cannot match a line with these words."""
    return anchors is None or not (anchors.words.isdisjoint(words) and anchors.stems.isdisjoint(stems))


def _group_end(phrase: str, i: int) -> tuple[int, list[str]]:
    """The index after the group opening at `i`, and its alternatives at depth 1."""
    depth, j, alts, current = 0, i, [], ""
    while j < len(phrase):
        c = phrase[j]
        if c == "\\":
            current += phrase[j : j + 2]
            j += 2
            continue
        if c == "(":
            depth += 1
            if depth > 1:
                current += c
        elif c == ")":
            depth -= 1
            if depth == 0:
                alts.append(current)
                return j + 1, alts
            current += c
        elif c == "|" and depth == 1:
            alts.append(current)
            current = ""
        else:
            current += c
        j += 1
    return len(phrase), alts


def split_top(phrase: str) -> list[str]:
    """A phrase's own top-level alternatives ("a|b" is two phrases)."""
    out, depth, current, i = [], 0, "", 0
    while i < len(phrase):
        c = phrase[i]
        if c == "\\":
            current += phrase[i : i + 2]
            i += 2
            continue
        if c == "[":
            end = phrase.find("]", i + 1)
            end = len(phrase) - 1 if end < 0 else end
            current += phrase[i : end + 1]
            i = end + 1
            continue
        depth += c == "("
        depth -= c == ")"
        if c == "|" and depth == 0:
            out.append(current)
            current = ""
        else:
            current += c
        i += 1
    out.append(current)
    return out


def _top_level(phrase: str) -> list[tuple[str, bool, bool]] | None:
    """The literal words at group depth 0: (word, starts a word, ends a word). None when unreadable."""
    out: list[tuple[str, bool, bool]] = []
    i, word, start, at_word_start = 0, "", True, True

    def close(ends: bool) -> None:
        nonlocal word
        if word:
            out.append((word, start, ends))
        word = ""

    while i < len(phrase):
        c = phrase[i]
        if c == "\\":
            escaped = phrase[i + 1 : i + 2]
            separator = escaped == "b" or (not escaped.isalnum() and escaped != "_")  # "\b", "\.", "\-"
            optional = phrase[i + 2 : i + 3] in ("?", "*")
            close(separator and not optional)
            at_word_start = separator and not optional
            i += 3 if optional else 2
            continue
        if c == "[":
            end = phrase.find("]", i + 1)
            if end < 0:
                return None
            close(False)
            at_word_start = False
            i = end + 1
            continue
        if c == "(":
            end, alts = _group_end(phrase, i)
            spaced = all(alt[:1] in (" ", "'", "-") for alt in alts) and not phrase.startswith("(?", i)
            close(spaced)
            at_word_start = False
            i = end
            continue
        if c == "{":
            end = phrase.find("}", i)
            if word:
                word = word[:-1]
                close(False)
            at_word_start = False
            i = (end + 1) if end > 0 else len(phrase)
            continue
        if c in "?*+":
            if word:  # the last letter is optional or repeated: the word we can rely on ends before it
                word = word[:-1]
                close(False)
            at_word_start = False
        elif not (c.isalnum() or c == "_"):  # not a word character: the line's words split here too
            optional = phrase[i + 1 : i + 2] in ("?", "*")
            close(not optional)
            at_word_start = not optional
            i += 2 if optional else 1
            continue
        elif c == "^":
            at_word_start = True
        elif c == "$":
            close(True)
        elif c in ")|":
            return None  # unbalanced, or an alternation `split_top` should have taken apart
        elif c == ".":
            close(False)
            at_word_start = False
        else:
            if not word:
                start = at_word_start
            word += c
        i += 1
    close(True)
    return out


def _anchor(word: str, starts: bool, ends: bool) -> tuple[str, str] | None:
    """("word", w) for a short whole word, ("stem", s) for a long word's stem, or None."""
    if not starts:
        return None
    letters = _LETTERS.match(word)
    if not letters:
        return None
    run = letters.group(0)
    if len(run) >= STEM:
        return ("stem", run[:STEM])
    if run == word and ends:
        return ("word", run)
    return None


_SEPARATORS = (" ", "'", "-")
_OPTIONAL = ("?", "*", "{")


def _quantified_end(phrase: str, end: int) -> int:
    """The index after a quantifier at `end` (`end` when there is none)."""
    q = phrase[end : end + 1]
    if q in ("?", "*", "+"):
        return end + 1
    if q == "{":
        close = phrase.find("}", end)
        return close + 1 if close > 0 else len(phrase)
    return end


def _boundary(phrase: str, j: int) -> bool:
    """Whether a match is at a word boundary where the phrase reaches index `j`: the end, a separator
    ("\\b", " ", "\\."), or an optional separator or group of alternatives that each start with one, followed
    by a boundary ("( (terug|op))?" at the end)."""
    if j >= len(phrase):
        return True
    c = phrase[j]
    if c == "(" and not phrase.startswith("(?", j):
        end, alts = _group_end(phrase, j)
        if not alts or not all(alt[:1] in _SEPARATORS for alt in alts):
            return False
    elif c == "\\":
        escaped = phrase[j + 1 : j + 2]
        if escaped == "b":
            return True
        if escaped.isalnum() or escaped in ("", "_"):
            return False
        end = j + 2
    elif c in _SEPARATORS:
        end = j + 1
    else:
        return False
    if phrase[end : end + 1] in _OPTIONAL:
        return _boundary(phrase, _quantified_end(phrase, end))
    return True


def _leading_group(phrase: str) -> set[tuple[str, str]] | None:
    """Anchors from a group the phrase starts with, when each alternative starts with a word
    ("(call|ring|phone)s? you", "(i|we) need")."""
    body = phrase[1:] if phrase.startswith("^") else phrase
    if not body.startswith("(") or body.startswith("(?"):
        return None
    end, alts = _group_end(body, 0)
    if body[end : end + 1] in ("?", "*", "{"):
        return None  # the group is optional
    out: set[tuple[str, str]] = set()
    for alt in alts:
        words = _top_level(alt)
        if not words:
            return None
        first, starts, ends = words[0]
        if alt.startswith(first) and len(words) == 1 and ends:
            ends = _boundary(body, end)  # "(be|get) ?x" may match "getx": "get" does not end there
        anchor = _anchor(first, starts and alt.startswith(first), ends)
        if anchor is None:
            return None
        out.add(anchor)
    return out


MAX_VARIANTS = 16  # spelling out optional parts stops here


def _optional_part(phrase: str) -> tuple[int, int, list[str]] | None:
    """The first optional letter or group at the top ("e-?mail", "(ik )?snap"), or a group that starts the
    phrase ("(rot|pech)moment"): where it stands and what may stand there instead ("" when optional)."""
    i = 0
    while i < len(phrase):
        c = phrase[i]
        if c == "\\":
            i += 2
            continue
        if c == "[":
            end = phrase.find("]", i + 1)
            if end < 0:
                return None
            i = end + 1
            continue
        if c == "(":
            end, alts = _group_end(phrase, i)
            if phrase.startswith("(?", i) or any(ch in alt for alt in alts for ch in "()[]\\.*+?{}^$"):
                i = end
                continue
            if phrase[end : end + 1] == "?":
                return i, end + 1, [*alts, ""]
            if i == 0:
                return i, end, alts
            i = end
            continue
        optional = phrase[i + 1 : i + 2] == "?" and phrase[i + 2 : i + 3] not in ("?", "+", "*")
        if optional and (c.isalnum() or c in " '-"):
            return i, i + 2, [c, ""]
        i += 1
    return None


def _variants(phrase: str) -> list[str] | None:
    """The phrase with its optional parts spelled out, or None when there would be too many."""
    done, todo = [], [phrase]
    while todo:
        current = todo.pop()
        part = _optional_part(current)
        if part is None:
            done.append(current)
        else:
            start, end, choices = part
            todo += [current[:start] + choice + current[end:] for choice in choices]
        if len(done) + len(todo) > MAX_VARIANTS:
            return None
    return done


def phrase_anchors(phrase: str) -> set[tuple[str, str]] | None:
    """Anchors of which a match of `phrase` holds at least one, or None when none can be read."""
    direct = _direct_anchors(phrase)
    if direct is not None:
        return direct
    variants = _variants(phrase)
    if not variants or variants == [phrase]:
        return None
    out: set[tuple[str, str]] = set()
    for variant in variants:
        found = _direct_anchors(variant)
        if found is None:
            return None
        out |= found
    return out


def _direct_anchors(phrase: str) -> set[tuple[str, str]] | None:
    parts = split_top(phrase)
    if len(parts) > 1:
        out: set[tuple[str, str]] = set()
        for part in parts:
            found = _direct_anchors(part)
            if found is None:
                return None
            out |= found
        return out
    words = _top_level(phrase)
    if words is None:
        return None
    options = [{a} for w, s, e in words if (a := _anchor(w, s, e))]
    group = _leading_group(phrase)
    if group:
        options.append(group)
    return min(options, key=_cost) if options else None


def _cost(option: set[tuple[str, str]]) -> int:
    """How often a line is likely to hold one of the anchors: a function word almost always does."""
    return sum(COMMON_COST if kind == "word" and value in COMMON else 1 for kind, value in option)


def list_anchors(phrases: list[str]) -> Anchors | None:
    """The prefilter for a whole list, or None when a phrase has no anchor."""
    words: set[str] = set()
    stems: set[str] = set()
    for phrase in phrases:
        anchors = phrase_anchors(phrase)
        if anchors is None:
            return None
        for kind, value in anchors:
            (words if kind == "word" else stems).add(value)
    return Anchors(frozenset(words), frozenset(stems))
