"""Readable plain text from a message's body parts: HTML converted (never kept), flowed text unwrapped."""

import re

import lxml.html
from inscriptis import Inscriptis
from inscriptis.model.config import ParserConfig
from lxml import etree

# What a reader never sees, or that only matters to a browser; dropped with everything inside.
INVISIBLE = ("head", "script", "style", "noscript", "template", "iframe", "object", "embed", "svg", "math")
_CONFIG = ParserConfig(display_images=False, display_links=False)
_BLANK_RUNS = re.compile(r"\n{3,}")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # control characters (Unicode Cc) but tab and newline
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
# inscriptis lays out lists and tables well but costs some 0.1 ms an element: past this many, the
# plain walk below (block elements on their own lines) keeps a large newsletter from taking seconds.
MAX_LAYOUT_ELEMENTS = 2000
_BLOCK_TAGS = """address article aside blockquote br dd div dl dt fieldset figcaption figure footer form h1 h2
h3 h4 h5 h6 header hr li main nav ol p pre section table tbody td tfoot th thead tr ul"""
_BLOCKS = frozenset(_BLOCK_TAGS.split())
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
    text = _CONTROL.sub("", text)
    text = "\n".join(line.rstrip(" \t") for line in text.split("\n"))  # a regex here is quadratic
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
    hidden = [e for e in root.iter() if _HIDDEN_STYLE.search(str(e.get("style") or ""))]
    for element in hidden:  # preheaders and other text styled away from the reader
        _remove_keeping_tail(element)
    if sum(1 for _ in root.iter()) > MAX_LAYOUT_ELEMENTS:
        return normalise(_plain_text(root))
    return normalise(Inscriptis(root, _CONFIG).get_text())


def _remove_keeping_tail(element: etree._Element) -> None:
    """Take an element and its contents out of the tree; the text after it stays."""
    parent = element.getparent()
    if parent is None:
        return
    if element.tail:
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + element.tail
        else:
            parent.text = (parent.text or "") + element.tail
    parent.remove(element)


def _plain_text(root: lxml.html.HtmlElement) -> str:
    """Text and tails in document order, each block element on lines of its own; linear in the tree."""
    pieces: list[str] = []
    for event, element in etree.iterwalk(root, events=("start", "end")):
        block = isinstance(element.tag, str) and element.tag in _BLOCKS
        if event == "start":
            if block:
                pieces.append("\n")
            if element.text:
                pieces.append(element.text)
        else:
            if block:
                pieces.append("\n")
            if element.tail:
                pieces.append(element.tail)
    return re.sub(r"[ \t]+", " ", "".join(pieces))


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
