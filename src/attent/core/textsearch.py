"""Words for full-text search: folded (lower case, no accents) and stemmed for Dutch and English.

SQLite has no Dutch stemmer and FTS5 cannot call Python as a tokenizer, so the search index of the
embedded database holds `terms(text)`: every word folded, followed by its Dutch and English Snowball
stems (the stemmers PostgreSQL's `dutch`/`english` configurations use). `make_engine` registers
`attent_terms` on every SQLite connection, so the triggers that keep the index current in the writing
transaction can call it. A query is cut into the same words; each matches itself or either stem.
Only letters and digits make a word: operators, quotes, `%`, `_` and emoji are never syntax.
"""

import re
import unicodedata
from functools import lru_cache

import snowballstemmer

WORD = re.compile(r"[^\W_]+")
MAX_WORDS = 12  # a query's first words; more make a slower search, not a better one
_DUTCH = snowballstemmer.stemmer("dutch")
_ENGLISH = snowballstemmer.stemmer("english")


@lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    base = unicodedata.normalize("NFKD", char)[:1] or char
    lowered = base.lower()
    return lowered if len(lowered) == 1 else base


def fold(text: str) -> str:
    """Lower case without accents, one character for each character, so offsets still fit the text."""
    return "".join(_fold_char(c) if ord(c) > 127 or c.isupper() else c for c in text)


@lru_cache(maxsize=65536)
def stems(word: str) -> tuple[str, ...]:
    """A folded word and its Dutch and English stems, each once."""
    return tuple(dict.fromkeys((word, _DUTCH.stemWord(word), _ENGLISH.stemWord(word))))


def words(text: str) -> list[str]:
    """The folded words of a text, in order."""
    return WORD.findall(fold(text))


def terms(text: str | None) -> str:
    """What the SQLite index holds for a text: each word and its stems, separated by spaces."""
    if not text:
        return ""
    return " ".join(term for word in words(text) for term in stems(word))


def query_words(query: str) -> list[str]:
    """The words a query searches for, at most MAX_WORDS, each once."""
    return list(dict.fromkeys(words(query)))[:MAX_WORDS]
