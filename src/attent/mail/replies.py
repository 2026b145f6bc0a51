"""The new part of a reply: quoted history and signatures cut, in Dutch and English.

`mail-parser-reply` knows the reply headers of many languages ("On … wrote:", Outlook's From/Sent/To
block in both of ours); its header patterns cut what is left after our own rules, which run first and
cut at the earliest marker they find, for the shapes the library misses:

- Gmail and Thunderbird in Dutch: "Op ma 23 nov 2026 om 09:12 schreef Naam <adres>:" (often wrapped);
- Apple Mail in Dutch: "Op 23 nov. 2026 om 09:12 heeft Naam <adres> het volgende geschreven:";
- "-----Oorspronkelijk bericht-----" / "-----Original Message-----", and forwarding markers;
- Outlook's header block (Van/From, then Verzonden/Sent/Datum/Date, Aan/To, Onderwerp/Subject), also
  under its line of underscores;
- a trailing block of "> " quoted lines.

Signatures are cut here too, and more carefully than the library does: its rule cuts at any line that
starts with "Thanks," or "Met vriendelijke groet", which throws away "Thanks, but the parcel never
came" and everything after it. Here a closing only counts when it stands on its own line and what
follows is a few short lines (a name, a phone number); "-- " and "Sent from my iPhone" /
"Verzonden vanaf mijn iPhone" lines always count. (So only the library's header patterns are used,
not its whole reader, whose signature and disclaimer passes are also quadratic on long lines.)
"""

import re

from mailparser_reply.parser import EmailMessage

from attent.mail.text import normalise

MAX_SCAN_CHARS = 100_000  # the new part of a reply is at its top
# A reply header is a short line; longer ones are never tested, which keeps every rule linear in the text
# (the library's "On … wrote:" pattern backtracks quadratically over a long line that starts with "On").
MAX_MARKER_LINE = 300
_QUOTE_PREFIX = re.compile(r"^(?:>[ \t]?)+")
_TIME = re.compile(r"\d{1,2}[:.]\d{2}")
_ATTRIBUTION_VERB = re.compile(r"\b(?:schreef|het volgende geschreven|wrote)\b", re.IGNORECASE)
_WROTE_ON = re.compile(r"\s(?:schreef op|wrote on)\s", re.IGNORECASE)
_SEPARATOR = re.compile(
    r"-{2,}\s*(?:original message|oorspronkelijk bericht|origineel bericht|forwarded message|"
    r"doorgestuurd bericht)\s*-{2,}",
    re.IGNORECASE,
)
_FORWARD_INTRO = re.compile(
    r"(?:begin forwarded message|begin doorgestuurd bericht|doorgestuurd bericht):", re.I
)
_FROM_LINE = re.compile(r"\*?(?:from|van):\*?\s+\S", re.IGNORECASE)
_HEADER_LINE = re.compile(
    r"\*?(?:sent|verzonden|date|datum|to|aan|cc|subject|onderwerp):\*?\s", re.IGNORECASE
)
_UNDERSCORES = re.compile(r"_{10,}")
_LIBRARY_HEADERS = EmailMessage(text="", languages=["nl", "en"]).HEADER_REGEX
_LIBRARY_FIELD = re.compile(
    r"(?:> ?)*[* ]*(?:from|sent|to|subject|date|cc|organization|van|verzonden|aan|onderwerp|datum):",
    re.IGNORECASE,
)
_LIBRARY_ENDING = re.compile(r"(?:wrote|schreef):$", re.IGNORECASE)
SENT_FROM = re.compile(
    r"^(?:sent from my|sent from outlook|sent from mail for windows|sent from yahoo mail|sent with proton|"
    r"get outlook for|download outlook for|verzonden vanaf mijn|verzonden met mijn|verzonden vanuit|"
    r"verstuurd vanaf mijn|verstuurd met mijn|verstuurd vanuit|outlook voor (?:ios|android)|"
    r"download outlook voor)\b[^\n]{0,80}$",
    re.IGNORECASE | re.MULTILINE,
)
SIGNATURE_DASHES = re.compile(r"^--[ \t]?$", re.MULTILINE)
CLOSING = re.compile(
    r"(?:(?:met )?(?:vriendelijke|hartelijke|beste|warme|lieve|zonnige)? ?groet(?:en|jes)?|mvg|m\.v\.g\.?|"
    r"(?:kind|best|warm|warmest|many thanks and|with kind)? ?regards|best wishes|cheers|yours sincerely|"
    r"sincerely|hoogachtend|(?:thanks|thank you|many thanks|bedankt|dank je wel|dank u wel|alvast bedankt|"
    r"groetjes)\s*,|_{20,})[ \t]*[,.!]?[ \t]*",
    re.IGNORECASE,
)
MAX_SIGNATURE_LINES = 6
MAX_SIGNATURE_LINE_CHARS = 72


def _bare(line: str) -> str:
    """A line without its quote marks and surrounding spaces."""
    return _QUOTE_PREFIX.sub("", line).strip()


def _is_attribution(lines: list[str], index: int) -> bool:
    """'Op … om 09:12 schreef …:', 'Op … heeft … het volgende geschreven:', 'On … at 09:12, … wrote:'
    (wrapped over up to three lines), or '… schreef op … 09:12:' / '… wrote on … 09:12:'."""
    first = _bare(lines[index])
    if first.endswith(":") and _WROTE_ON.search(first) and _TIME.search(first):
        return True
    if first[:3].lower() not in ("op ", "on "):
        return False
    window = first
    for following in range(index, min(index + 3, len(lines))):
        if following > index:
            window += " " + _bare(lines[following])
        if window.endswith(":"):
            return bool(_TIME.search(window) and _ATTRIBUTION_VERB.search(window))
    return False


def _is_outlook_block(lines: list[str], index: int) -> bool:
    """Outlook's header block: a From/Van line and at least two of Sent, Date, To, Cc, Subject in the
    next five lines (both languages)."""
    if not _FROM_LINE.match(_bare(lines[index])):
        return False
    following = lines[index + 1 : index + 6]
    return sum(1 for line in following if _HEADER_LINE.match(_bare(line))) >= 2


def _marker_line(lines: list[str]) -> int | None:
    """The index of the first line of quoted history found by our own rules."""
    for index, line in enumerate(lines):
        if len(line) > MAX_MARKER_LINE:
            continue
        bare = _bare(line)
        if _SEPARATOR.fullmatch(bare) or _FORWARD_INTRO.fullmatch(bare) or _is_attribution(lines, index):
            return index
        if _is_outlook_block(lines, index):
            above = index - 1
            return above if above >= 0 and _UNDERSCORES.fullmatch(_bare(lines[above])) else index
    return None


def _library_candidate(lines: list[str], index: int) -> bool:
    """Whether a line can take part in one of the library's headers: a header field line, or a line that
    ends (or whose next line ends) an attribution."""
    line = lines[index]
    if len(line) > MAX_MARKER_LINE:
        return False
    if _LIBRARY_FIELD.match(line) or _LIBRARY_ENDING.search(line):
        return True
    return index + 1 < len(lines) and bool(_LIBRARY_ENDING.search(lines[index + 1]))


def _library_marker_line(lines: list[str]) -> int | None:
    """The index of the first line where mail-parser-reply's header patterns (its languages' "On … wrote:"
    and From/Sent blocks) match. Lines are matched as the library sees them (stripped); every line that
    cannot be part of such a header is masked with letters of the same length, so no position moves,
    the patterns fail on it at once, and their backtracking never meets a long line."""
    stripped = [line.strip() for line in lines]
    masked = "\n".join(
        line if _library_candidate(stripped, index) else "x" * len(line)
        for index, line in enumerate(stripped)
    )
    match = _LIBRARY_HEADERS.search(masked)
    if match is None:
        return None
    start = match.start() + (1 if masked[match.start() : match.start() + 1] == "\n" else 0)
    return masked.count("\n", 0, start)


def _drop_trailing_quote(text: str) -> str:
    lines = text.split("\n")
    while lines and (not lines[-1].strip() or lines[-1].lstrip().startswith(">")):
        lines.pop()
    return "\n".join(lines)


def _cut_signature(text: str) -> str:
    """Cut at "-- ", at a "Sent from my …" line, or at a closing followed only by a short signature."""
    for pattern in (SIGNATURE_DASHES, SENT_FROM):
        match = pattern.search(text)
        if match:
            text = text[: match.start()]
    lines = text.split("\n")
    # Only a closing among the last few non-empty lines can start a signature: walk up from the end.
    filled = [i for i, line in enumerate(lines) if line.strip()][-(MAX_SIGNATURE_LINES + 1) :]
    for position, index in enumerate(filled):
        tail = [lines[i] for i in filled[position + 1 :]]
        if CLOSING.fullmatch(lines[index]) and all(len(line) <= MAX_SIGNATURE_LINE_CHARS for line in tail):
            return "\n".join(lines[:index])
    return text


def new_text(full_text: str) -> str:
    """The part of a message its sender just wrote; the whole text when nothing new is left (a forward)."""
    text = normalise(full_text)
    if not text:
        return ""
    lines = text[:MAX_SCAN_CHARS].split("\n")
    cut = _marker_line(lines)
    lines = lines[:cut] if cut is not None else lines
    cut = _library_marker_line(lines)
    lines = lines[:cut] if cut is not None else lines
    head = "\n".join(line.strip() for line in lines)
    result = normalise(_cut_signature(_drop_trailing_quote(head)))
    return result or text
