"""Cheaper shapes for the time patterns (`engine.timewords`) that match exactly what the plain ones do.

Two costs of the plain patterns: an alternation of thirty words is tried one word at a time at each
position, and a pattern that starts with a look-behind (`(?<![\\w])`) is tried at every position of the
line, as the regex engine has no first character to jump to. `trie` factors the words' shared prefixes
(the rule book keeps its plain lists); `WordStart` searches a pattern whose body starts with a word
without its look-behind, so the engine jumps to the word's letters, and checks the look-behind itself.
`tests/unit/test_coach_timetrie.py` compares both with the plain patterns on every corpus line and a few
thousand generated ones.
"""

import re
from collections.abc import Iterable, Iterator
from typing import Protocol

# Characters a regex source matches as themselves (a word of only these is plain).
_PLAIN = frozenset("abcdefghijklmnopqrstuvwxyz0123456789 -'")
_QUANTIFIER = ("?", "*", "{", "+")


def plain_alt(words: Iterable[str]) -> str:
    """The alternation as the rule book means it: longest word first (what the plain patterns use)."""
    return "|".join(sorted(words, key=len, reverse=True))


def _lead(word: str) -> str:
    """The literal text every match of regex source `word` starts with ("" when nothing can be read)."""
    if "|" in word:
        return ""
    run = 0
    while run < len(word) and word[run] in _PLAIN:
        run += 1
    if word[run : run + 1] in _QUANTIFIER and run < len(word):
        run -= 1  # the letter before a quantifier may be missing
    return word[:run]


class _Node:
    __slots__ = ("children", "end")

    def __init__(self) -> None:
        self.children: dict[str, _Node] = {}
        self.end = False


def _render(node: _Node) -> str:
    branches = [re.escape(ch) + _render(child) for ch, child in node.children.items()]
    if not branches:
        return ""
    if node.end:  # a word ends here: the longer words, through the children, are tried first
        return "(?:" + "|".join(branches) + ")?"
    return branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"


def trie(words: Iterable[str]) -> str:
    """`plain_alt(words)` with the plain words' shared prefixes tried once.

    Where two words match at one position, one is a prefix of the other, and the plain alternation tries
    the longer first; the trie does too (a node where a word ends tries its children first), and words
    that cannot match at one position may come in any order. A word with regex syntax keeps its own
    alternative, in the plain order, and so does every plain word that could match where it does (one is a
    prefix of the other's literal start), so those keep their order among themselves."""
    ordered = sorted(dict.fromkeys(words), key=len, reverse=True)
    leads = [w for w in ordered if any(ch not in _PLAIN for ch in w)]
    kept = set(leads)
    starts = [_lead(w) for w in leads]
    grown = True
    while grown:  # a plain word that may meet a kept one at one position is kept too, and so on
        grown = False
        for w in ordered:
            if w not in kept and any(w.startswith(s) or s.startswith(w) for s in starts):
                kept.add(w)
                starts.append(w)
                grown = True
    root = _Node()
    for w in ordered:
        if w in kept or not w:
            continue
        node = root
        for ch in w:
            node = node.children.setdefault(ch, _Node())
        node.end = True
    parts = [w for w in ordered if w in kept]  # the root's branches stand beside them: each starts with a
    parts += [re.escape(ch) + _render(child) for ch, child in root.children.items()]  # letter to jump to
    return "|".join(parts)


class Finds(Protocol):
    """What `find_times` asks of a pattern: its matches, left to right (`re.Pattern.finditer`)."""

    def finditer(self, string: str) -> Iterator[re.Match[str]]: ...


class WordStart:
    """A pattern `(?<![\\w<extra>])body` searched without its look-behind, where the body starts with a word
    (a trie's letters): the regex engine jumps to the body's first letters instead of trying the look-behind
    at every position. Where a match does not start a word, the search goes on from the next position; each
    match resumes the search at its end, as `finditer` does (no body matches the empty text), so the matches
    are the pattern's own: it matches at a position exactly when the look-behind holds and the body matches
    there (a look-behind also sees the text before where a search starts)."""

    __slots__ = ("body", "extra")

    def __init__(self, body: str, extra: str) -> None:
        self.body = re.compile(body)
        self.extra = extra

    def finditer(self, string: str) -> Iterator[re.Match[str]]:
        """The matches of the pattern in `string`, left to right, not overlapping."""
        found: list[re.Match[str]] = []
        body, extra, at = self.body, self.extra, 0
        while (m := body.search(string, at)) is not None:
            s = m.start()
            before = string[s - 1] if s else " "
            if before.isalnum() or before == "_" or before in extra:  # `re`'s \w, and the extra characters
                at = s + 1
                continue
            found.append(m)
            at = m.end() if m.end() > s else s + 1
        return iter(found)
