"""Readable plain text from a message's body parts: HTML converted (never kept), flowed text unwrapped."""

import re
import unicodedata

import lxml.html
from inscriptis import Inscriptis
from inscriptis.model.config import ParserConfig
from lxml import etree

# What a reader never sees, or that only matters to a browser; dropped with everything inside.
INVISIBLE = ("head", "script", "style", "noscript", "template", "iframe", "object", "embed", "svg", "math")
_CONFIG = ParserConfig(display_images=False, display_links=False)
_BLANK_RUNS = re.compile(r"\n{3,}")
_TRAILING_SPACE = re.compile(r"[ \t]+$", re.MULTILINE)
# Zero-width and direction characters hide or reorder text; a reader of plain text needs none of them.
HIDDEN_CHARACTERS: dict[int, None] = dict.fromkeys(
    [
        0x200B,
        0x200C,
        0x200D,
        0x200E,
        0x200F,
        0x2060,
        0xFEFF,
        0x00AD,
        *range(0x202A, 0x202F),
        *range(0x2066, 0x206A),
    ]
)


def normalise(text: str) -> str:
    """One newline style, no hidden characters or trailing spaces, at most one blank line in a row."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").translate(HIDDEN_CHARACTERS).replace("\xa0", " ")
    text = "".join(c for c in text if c in "\n\t" or unicodedata.category(c) != "Cc")
    text = _TRAILING_SPACE.sub("", text)
    return _BLANK_RUNS.sub("\n\n", text).strip()


def html_to_text(html: str) -> str:
    """The text a reader of this HTML would see; scripts, styles, images and tracking pixels are gone.

    The HTML itself is never kept, so nothing a sender wrote is ever rendered as HTML in Attent.
    """
    if not html.strip():
        return ""
    try:
        root = lxml.html.document_fromstring(html)
    except (etree.ParserError, ValueError):
        return ""
    etree.strip_elements(root, *INVISIBLE, etree.Comment, with_tail=False)
    return normalise(Inscriptis(root, _CONFIG).get_text())


def unflow(text: str, *, delsp: bool) -> str:
    """Join the soft line breaks of format=flowed text (RFC 3676), as Apple Mail and Thunderbird send."""
    out: list[str] = []
    pending: str | None = None
    pending_depth = -1
    for line in text.replace("\r\n", "\n").split("\n"):
        stripped = line.lstrip(">")
        depth = len(line) - len(stripped)
        if stripped.startswith(" "):
            stripped = stripped[1:]  # space-stuffing
        if pending is not None and depth != pending_depth:
            out.append(pending)
            pending = None
        content = stripped
        flowed = content.endswith(" ") and content != "-- "
        if flowed and delsp:
            content = content[:-1]
        prefix = ">" * depth + (" " if depth else "")
        if pending is None:
            pending, pending_depth = prefix + content, depth
        else:
            pending += content
        if not flowed:
            out.append(pending)
            pending = None
    if pending is not None:
        out.append(pending)
    return "\n".join(out)
