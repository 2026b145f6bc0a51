"""Which characters of a result matched the query, and the marked-up text built from escaped pieces.

Both databases find; Python marks. The marks are computed from the same folded words and stems the
SQLite index uses, so "cafe" marks "café" and "bestellingen" marks "bestelling" on either database,
and a fragment (an order number's middle, part of an e-mail address) is marked where it occurs. The
HTML is built by escaping every piece of the customer's text and adding only our own `<mark>` tags.
"""

from dataclasses import dataclass

from markupsafe import Markup, escape

from attent.core.textsearch import WORD, fold, query_words, stems

Span = tuple[int, int]
SNIPPET = 160  # characters of a long message shown around its first match


@dataclass(frozen=True)
class Needle:
    """A query as the marker looks for it: its words, their stems, and the whole query as a fragment."""

    words: frozenset[str]
    stems: frozenset[str]
    prefixes: tuple[str, ...]
    fragment: str

    @classmethod
    def of(cls, query: str) -> "Needle":
        """The needle for a query as the agent typed it."""
        found = query_words(query)
        fragment = fold(query.strip())
        return cls(
            words=frozenset(found),
            stems=frozenset(s for w in found for s in stems(w)),
            prefixes=tuple(w for w in found if len(w) >= 2),
            fragment=fragment if len(fragment) >= 3 else "",
        )


def spans(text: str, needle: Needle) -> list[Span]:
    """The [start, end) ranges of `text` that match, merged and in order."""
    if not text:
        return []
    folded = fold(text)
    found: list[Span] = []
    for match in WORD.finditer(folded):
        word = match.group()
        if (
            word in needle.words
            or not needle.stems.isdisjoint(stems(word))
            or any(word.startswith(p) for p in needle.prefixes)
        ):
            found.append(match.span())
    if needle.fragment:
        start = folded.find(needle.fragment)
        while start >= 0:
            found.append((start, start + len(needle.fragment)))
            start = folded.find(needle.fragment, start + 1)
    return _merge(found)


def _merge(found: list[Span]) -> list[Span]:
    merged: list[Span] = []
    for start, end in sorted(found):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def snippet(text: str, matches: list[Span], width: int = SNIPPET) -> tuple[str, list[Span]]:
    """A window of a long text around its first match, with the matches shifted to fit it."""
    if len(text) <= width:
        return text, matches
    first = matches[0][0] if matches else 0
    start = max(0, min(first - width // 3, len(text) - width))
    end = start + width
    cut = text[start:end]
    prefix = "…" if start else ""
    suffix = "…" if end < len(text) else ""
    shift = len(prefix) - start
    inside = [(max(s, start) + shift, min(e, end) + shift) for s, e in matches if e > start and s < end]
    return f"{prefix}{cut}{suffix}", inside


def marked(text: str, matches: list[Span] | list[list[int]]) -> Markup:
    """`text` as HTML: every piece escaped, the matches in `<mark>`."""
    out: list[str] = []
    at = 0
    for start, end in matches:
        out.append(escape(text[at:start]))
        out.append(Markup("<mark>") + escape(text[start:end]) + Markup("</mark>"))
        at = end
    out.append(escape(text[at:]))
    return Markup("").join(out)
