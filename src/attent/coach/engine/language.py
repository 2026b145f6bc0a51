"""Dutch or English, per line and per contact, from short function words (no model, no download)."""

import re
import tomllib
import unicodedata
from collections.abc import Sequence
from importlib.util import find_spec
from pathlib import Path

# The rule book's folder, found rather than imported (its loader imports this module). The loader is never
# compiled, so this is the sources' folder even where this module runs compiled from the build.
_RULES = find_spec("attent.coach.engine.rules")
if _RULES is None or _RULES.origin is None:
    raise ImportError("the coach's rule book (attent.coach.engine.rules) is missing")
_COMMON = Path(_RULES.origin).parent / "common.toml"
_WORDS = tomllib.loads(_COMMON.read_text(encoding="utf-8"))["language"]
NL_WORDS = frozenset(_WORDS["nl"].split())
EN_WORDS = frozenset(_WORDS["en"].split())
_WORD = re.compile(r"[a-zà-ÿ']+")
_SPACES = re.compile(r"\s+")
_QUOTES = str.maketrans(
    {"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-"}
)


def normalise(text: str) -> str:
    """Lower case, no accents, straight quotes, single spaces: what every phrase is matched against."""
    if text.isascii():  # most lines: no accents or curly quotes to fold (`split` splits where `\s+` does)
        return " ".join(text.lower().split())
    folded = unicodedata.normalize("NFKD", text.translate(_QUOTES).casefold())
    if not folded.isascii():
        folded = "".join(c for c in folded if not unicodedata.combining(c))
    return _SPACES.sub(" ", folded).strip()


def line_scores(text: str) -> tuple[int, int]:
    """How many different Dutch and English marker words a line holds."""
    words = _WORD.findall(text.casefold())
    return len(NL_WORDS.intersection(words)), len(EN_WORDS.intersection(words))


def line_language(text: str, default: str) -> str:
    """The line's language where its words tell; the contact's language where they do not."""
    return language_of(line_scores(text), default)


def language_of(scores: tuple[int, int], default: str) -> str:
    """The language a line's marker-word counts point at, else `default`."""
    nl, en = scores
    if nl > en:
        return "nl"
    if en > nl:
        return "en"
    return default


def contact_language(texts: Sequence[str]) -> tuple[str, bool]:
    """The main language of a contact and whether both are spoken (a clear line in each)."""
    return contact_language_of([line_scores(text) for text in texts])


def contact_language_of(scores: Sequence[tuple[int, int]]) -> tuple[str, bool]:
    """`contact_language` from the lines' marker-word counts (computed once per line by the reading)."""
    nl_total = en_total = nl_lines = en_lines = 0
    for nl, en in scores:
        nl_total, en_total = nl_total + nl, en_total + en
        if nl >= en + 2:
            nl_lines += 1
        elif en >= nl + 2:
            en_lines += 1
    main = "en" if en_total > nl_total else "nl"
    return main, min(nl_lines, en_lines) >= 1
