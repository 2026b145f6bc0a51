"""The anchors a phrase needs all of: a stronger prefilter than `engine.anchors`, for the matcher.

`phrase_anchors` keeps one anchor per way a phrase can match (the rarest word), which is enough to rule a
whole list out. `engine.matcher` asks per phrase, so here a phrase keeps every anchor it cannot match
without: its words, and each group that must match and starts a word ("(it's|that's) (annoying|rotten)"
needs "anno" or "rott" as well as "it" or "that"). The same reading of the regex, the same soundness: a
line without them cannot hold the phrase (`tests/unit/test_coach_anchors.py` checks every corpus line).
"""

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
