"""One pass over a transcript that every rule shares: normalised text, language and time words per line."""

import re
from dataclasses import dataclass, field
from functools import cached_property

from attent.coach.engine.anchors import _KEY, STEM, text_keys
from attent.coach.engine.due import BusinessHours
from attent.coach.engine.language import (
    _WORD,
    EN_WORDS,
    NL_WORDS,
    contact_language_of,
    language_of,
    line_scores,
    normalise,
)
from attent.coach.engine.matcher import ListBook
from attent.coach.engine.rules import Language, RuleSet
from attent.coach.engine.timewords import Bit, find_times
from attent.coach.engine.transcript import Transcript

# A sentence ends in one of ".!?;" and a space (a normalised line has single spaces, so this is where
# `(?<=[.!?;])\s+` splits; starting with the mark rather than a look-behind lets the engine jump to it).
_SENTENCE_END = re.compile(r"[.!?;] ")
# A line is searched for time words only when it holds a digit or a word of the rule book's `[time_gate]`
# (`RuleSet.time_gate`): a class first lets the engine jump, and so do those words.
_DIGIT = re.compile(r"\d")
_TRAILING = ".,?!;:"  # neither word characters nor letters of a marker word: a word ends before them


def line_words(text: str) -> tuple[frozenset[str], tuple[int, int]]:
    """`text_keys` and `line_scores` of a normalised line in one pass over its words.

    Two regex passes per line were an eighth of the coach's work: most words of a lower-case ASCII line are
    plain letters, which are their own key (cut to `STEM`) and their own marker word, so only the others
    ("it's", "12:00", "e-mail") go through the regexes, each alone; a line with other characters goes through
    them whole. `tests/unit/test_coach_reading.py` compares both answers on every corpus line."""
    if not text.isascii() or not text.islower():
        return text_keys(text), line_scores(text)
    return _read_words(text.split())


def read_line(raw: str) -> tuple[str, frozenset[str], tuple[int, int]]:
    """A line as the reading keeps it: `normalise`d, with its `line_words` (an ASCII line is split once)."""
    if raw.isascii():
        words = raw.lower().split()  # what `normalise` joins with single spaces
        keys, scores = _read_words(words)
        return " ".join(words), keys, scores
    text = normalise(raw)
    keys, scores = line_words(text)
    return text, keys, scores


def _read_words(words: list[str]) -> tuple[frozenset[str], tuple[int, int]]:
    """`line_words` of the words of a lower-case ASCII line (whitespace separates keys and words alike)."""
    keys: set[str] = set()
    marked: list[str] = []
    for word in words:
        if not word.isalpha():
            letters = word.rstrip(_TRAILING)
            if not letters.isalpha():
                keys.update(_KEY.findall(word))
                marked += _WORD.findall(word)
                continue
            word = letters
        keys.add(word[:STEM])
        marked.append(word)
    return frozenset(keys), (len(NL_WORDS.intersection(marked)), len(EN_WORDS.intersection(marked)))


@dataclass
class Reading:
    """What the rules read from a transcript, computed once."""

    transcript: Transcript
    rules: RuleSet
    hours: BusinessHours = field(default_factory=BusinessHours)
    allowed_facts: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        lines = self.transcript.lines
        read = [read_line(line.text) for line in lines]
        self.text = [text for text, _, _ in read]
        self.keys = [keys for _, keys, _ in read]  # the words and stems the matchers ask about
        self.speaker = [line.speaker for line in lines]
        self.marker_counts = [scores for _, _, scores in read]
        self.language, self.mixed = contact_language_of(self.marker_counts)
        self.line_lang = [self._lang_of(i) for i in range(len(lines))]
        languages = self.rules.languages
        self._langs = [languages[code] for code in self.line_lang]  # each line's rule book
        self._books = [lang.book for lang in self._langs]  # see `attent.coach.engine.matcher.ListBook`
        self._every_book = [lang.book for lang in languages.values()]
        self._maybe = [book.maybe(keys) for book, keys in zip(self._books, self.keys, strict=True)]
        self._found: list[dict[int, bool]] = [{} for _ in lines]  # per line, the lists searched
        self.agent = [i for i, s in enumerate(self.speaker) if s == "agent"]
        self.customer = [i for i, s in enumerate(self.speaker) if s == "customer"]
        self.system = [i for i, s in enumerate(self.speaker) if s == "system"]
        self._times: dict[int, list[Bit]] = {}
        self._part_keys: dict[str, frozenset[str]] = {}  # keys of sentences and clauses asked about
        self._sentences: dict[int, list[tuple[int, str]]] = {}
        self._words: dict[int, int] = {}
        self.memo: dict[str, object] = {}  # results rules share (hold events, data requests)

    def _lang_of(self, index: int) -> str:
        if not self.mixed:
            return self.language
        return language_of(self.marker_counts[index], self.language)

    def lang(self, index: int) -> Language:
        """The rule book for the language line `index` is in."""
        return self._langs[index]

    def has(self, index: int, section: str, name: str) -> bool:
        """Whether line `index` holds a phrase of the list, in its own language (asked once per line)."""
        book = self._books[index]
        return self._has(index, book, book.slots[section][name])

    def _has(self, index: int, book: ListBook, slot: int) -> bool:
        if slot not in self._maybe[index]:
            return False  # most lines and lists: no word any phrase needs
        found = self._found[index].get(slot)
        if found is None:
            found = book.matchers[slot].search(self.text[index], self.keys[index])
            self._found[index][slot] = found
        return found

    def has_none(self, index: int, section: str, names: tuple[str, ...]) -> bool:
        """Whether `has` answers False for every list of `names` on line `index` without a search: none of
        them is among the lists the line's keys leave possible."""
        slots, maybe = self._books[index].slots[section], self._maybe[index]
        return all(slots[name] not in maybe for name in names)

    def has_text(self, index: int, text: str, section: str, name: str) -> bool:
        """Whether a part of line `index` holds a phrase of the list, in the line's language.

        A part holds no phrase the whole line lacks (unless the list anchors at the start or end of the text),
        so the line's cached answer rules most parts out without a search."""
        book = self._books[index]
        slot = book.slots[section][name]
        if slot not in book.anchored and not self._has(index, book, slot):
            return False
        if text == self.text[index]:  # a line of one sentence: the line's own (cached) answer
            return self._has(index, book, slot)
        keys = self._part_keys.get(text)
        if keys is None:
            keys = self._part_keys[text] = line_words(text)[0]  # its keys as the line's are read
        return book.matchers[slot].search(text, keys)

    def has_any_language(self, index: int, section: str, name: str) -> bool:
        """Like `has`, but in either language (for words that mean the same in both, e.g. numbers)."""
        text, keys = self.text[index], self.keys[index]
        return any(book.matchers[book.slots[section][name]].search(text, keys) for book in self._every_book)

    def times(self, index: int) -> list[Bit]:
        """Forward-looking time expressions in line `index` (cached)."""
        found = self._times.get(index)
        if found is None:
            text = self.text[index]
            timed = _DIGIT.search(text) or self.rules.time_gate.search(text)
            found = find_times(text, self.line_lang[index], self.keys[index]) if timed else []
            self._times[index] = found
        return found

    def sentences(self, index: int) -> list[tuple[int, str]]:
        """The sentences of line `index` with their offsets in the normalised text (split once per line:
        three rules ask for them, some once per phrase list; the list is shared, so callers only read it)."""
        found = self._sentences.get(index)
        if found is None:
            text, out, start = self.text[index], [], 0
            for m in _SENTENCE_END.finditer(text):
                out.append((start, text[start : m.start() + 1]))
                start = m.end()
            out.append((start, text[start:]))
            found = self._sentences[index] = [(s, t) for s, t in out if t.strip()]
        return found

    @cached_property
    def dropped(self) -> int | None:
        """The line where the contact was cut off, if it was."""
        for i in self.system:
            if self.has_any_language(i, "closing_check", "dropped"):
                return i
        return None

    def gap_before(self, index: int) -> float | None:
        """Seconds of silence before line `index` (None when either line has no time)."""
        if index == 0 or self.transcript.channel == "email":
            return None
        now, before = self.transcript.lines[index].t, self.transcript.lines[index - 1].t
        if now is None or before is None:
            return None
        return now - before

    def words(self, index: int) -> int:
        """How many words line `index` has."""
        found = self._words.get(index)
        if found is None:
            found = self._words[index] = len(self.text[index].split())
        return found

    def scores(self, index: int) -> tuple[int, int]:
        """Dutch and English marker words of a line (for tests and the language figure)."""
        return line_scores(self.text[index])
