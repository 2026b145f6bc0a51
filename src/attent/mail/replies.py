"""The new part of a reply: quoted history and signatures cut, in Dutch and English.

`mail-parser-reply` splits a body at the reply headers it knows ("On … wrote:", Outlook's
From/Sent/To block in both languages). It misses shapes Dutch customers send every day, so these
rules run first and cut at the earliest marker they find:

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
"Verzonden vanaf mijn iPhone" lines always count.
"""

import re

from mailparser_reply.parser import EmailMessage

from attent.mail.text import normalise

MAX_SCAN_CHARS = 200_000  # the new part of a reply is at the top; quoting a whole thread is no reason to wait
QUOTE = r"(?:>[ \t]?)*"
TIME = r"\d{1,2}[:.]\d{2}"
_ATTRIBUTION = [
    # Op <datum> om <tijd> schreef <naam> <adres>:
    # Op <datum> om <tijd> heeft <naam> het volgende geschreven:
    rf"^{QUOTE}Op\s[^\n]{{0,200}}?{TIME}[^\n]{{0,200}}(?:\n{QUOTE}[^\n]{{0,200}}){{0,2}}?"
    r"(?:\bschreef\b|\bhet volgende geschreven)[^\n]{0,200}(?:\n[^\n]{0,200})?:[ \t]*$",
    # <naam> schreef op <datum> <tijd>:
    rf"^{QUOTE}[^\n]{{1,200}}\bschreef op\b[^\n]{{0,200}}?{TIME}[^\n]{{0,100}}:[ \t]*$",
    # On <date> at <time>, <name> <address> wrote: (also wrapped over up to three lines)
    rf"^{QUOTE}On\s[^\n]{{0,200}}?{TIME}[^\n]{{0,200}}(?:\n{QUOTE}[^\n]{{0,200}}){{0,2}}?\bwrote:[ \t]*$",
    rf"^{QUOTE}[^\n]{{1,200}}\bwrote on\b[^\n]{{0,200}}?{TIME}[^\n]{{0,100}}:[ \t]*$",
    # Original-message and forwarding separators, Outlook's and Gmail's
    rf"^{QUOTE}[ \t]*-{{2,}}[ \t]*(?:Original Message|Oorspronkelijk bericht|Origineel bericht|"
    r"Forwarded message|Doorgestuurd bericht)[ \t]*-{2,}[ \t]*$",
    rf"^{QUOTE}(?:Begin forwarded message|Begin doorgestuurd bericht|Doorgestuurd bericht):[ \t]*$",
    # Outlook's header block: From/Van followed within four lines by two more of its header lines
    rf"^{QUOTE}(?:_{{10,}}\n{QUOTE})?\*?(?:From|Van):\*?[ \t]+[^\n]+(?:\n{QUOTE}[^\n]*){{0,1}}"
    rf"(?:\n{QUOTE}\*?(?:Sent|Verzonden|Date|Datum|To|Aan|Cc|Subject|Onderwerp):\*?[ \t]+[^\n]*"
    rf"(?:\n{QUOTE}[^\n]*){{0,1}}){{2,}}",
]
HEADER_MARKERS = re.compile("|".join(f"(?:{p})" for p in _ATTRIBUTION), re.IGNORECASE | re.MULTILINE)
SENT_FROM = re.compile(
    r"^(?:sent from my|sent from outlook|sent from mail for windows|sent from yahoo mail|sent with proton|"
    r"get outlook for|download outlook for|verzonden vanaf mijn|verzonden met mijn|verzonden vanuit|"
    r"verstuurd vanaf mijn|verstuurd met mijn|verstuurd vanuit|outlook voor (?:ios|android)|"
    r"download outlook voor)\b[^\n]{0,80}$",
    re.IGNORECASE | re.MULTILINE,
)
SIGNATURE_DASHES = re.compile(r"^--[ \t]?$", re.MULTILINE)
CLOSING = re.compile(
    r"^(?:(?:met )?(?:vriendelijke|hartelijke|beste|warme|lieve|zonnige)? ?groet(?:en|jes)?|mvg|m\.v\.g\.?|"
    r"(?:kind|best|warm|warmest|many thanks and|with kind)? ?regards|best wishes|cheers|yours sincerely|"
    r"sincerely|hoogachtend|(?:thanks|thank you|many thanks|bedankt|dank je wel|dank u wel|alvast bedankt|"
    r"groetjes)\s*,|_{20,})[ \t]*[,.!]?[ \t]*$",
    re.IGNORECASE | re.MULTILINE,
)
MAX_SIGNATURE_LINES = 6
MAX_SIGNATURE_LINE_CHARS = 72
_LIBRARY_LANGUAGES = ("nl", "en")


def _cut_at_markers(text: str) -> str:
    match = HEADER_MARKERS.search(text)
    return text[: match.start()] if match else text


def _cut_with_library(text: str) -> str:
    """What mail-parser-reply finds before the first reply header (empty when the text starts with one)."""
    message = EmailMessage(text=text, languages=list(_LIBRARY_LANGUAGES), keep_hyphen_lists=True).read()
    first = message.replies[0] if message.replies else None
    if first is None or first.headers:
        return "" if first is not None else text
    return str(first.content)


def _drop_trailing_quote(text: str) -> str:
    lines = text.split("\n")
    while lines and (not lines[-1].strip() or lines[-1].lstrip().startswith(">")):
        lines.pop()
    return "\n".join(lines)


def _cut_signature(text: str) -> str:
    for pattern in (SIGNATURE_DASHES, SENT_FROM):
        match = pattern.search(text)
        if match:
            text = text[: match.start()]
    for match in CLOSING.finditer(text):
        tail = [line for line in text[match.end() :].split("\n") if line.strip()]
        if len(tail) <= MAX_SIGNATURE_LINES and all(len(line) <= MAX_SIGNATURE_LINE_CHARS for line in tail):
            return text[: match.start()]
    return text


def new_text(full_text: str) -> str:
    """The part of a message its sender just wrote; the whole text when nothing new is left (a forward)."""
    text = normalise(full_text)
    if not text:
        return ""
    head = _cut_at_markers(text[:MAX_SCAN_CHARS])
    head = _cut_with_library(head) if head.strip() else ""
    head = _cut_signature(_drop_trailing_quote(normalise(head)))
    result = normalise(head)
    return result or text
