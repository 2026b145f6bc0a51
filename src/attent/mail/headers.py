"""A message's headers read without trusting them: encoded words, raw 8-bit bytes, and caps on size.

The standard library's modern header classes raise on some malformed address lists and take seconds on
10,000 recipients, so the parser runs with the `compat32` policy and the values are decoded here, each
step total: a bad header gives an empty or partial value, never an exception.
"""

import base64
import binascii
import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import Message
from email.utils import getaddresses, parsedate_to_datetime

from attent.mail.charsets import decode_text

MAX_VALUE_CHARS = 4000  # a decoded Subject or display name longer than this is cut
MAX_ADDRESS_HEADER_CHARS = 256 * 1024  # of one To/Cc header, read before parsing; the rest is counted
MAX_REFERENCES = 100
MAX_ID_CHARS = 250
_FOLD = re.compile(r"\r?\n[ \t]+")
_SPACES = re.compile(r"\s+")
_ID_TOKEN = re.compile(rf"<([^<>\s]{{1,{MAX_ID_CHARS}}})>")
_LOOSE_ADDRESS = re.compile(r"[\w.+'-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63})+")
_ADDR_SPEC = re.compile(r"^[^@\s<>()\[\],;:\"]{1,64}@[^@\s<>()\[\],;:\"]{1,253}$")


@dataclass(frozen=True)
class Address:
    """A mailbox from a header: the display name (decoded) and the address (lower case)."""

    name: str
    address: str


class HeaderIndex:
    """Every header of one message by lower-case name, gathered once (a message is asked for a dozen)."""

    def __init__(self, message: Message) -> None:
        self.values: dict[str, list[str]] = {}
        for key, value in message.raw_items():
            self.values.setdefault(key.lower(), []).append(str(value))

    def all(self, name: str) -> list[str]:
        """Every value of one header as on the wire, in order."""
        return self.values.get(name.lower(), [])

    def first(self, name: str) -> str | None:
        """The first value of a header as on the wire, or None."""
        values = self.values.get(name.lower())
        return values[0] if values else None


def raw_values(message: Message, name: str) -> list[str]:
    """Every value of one header as it was on the wire, in order (8-bit bytes kept as surrogates)."""
    wanted = name.lower()
    return [str(value) for key, value in message.raw_items() if key.lower() == wanted]


def first_raw(message: Message, name: str) -> str | None:
    """The first value of a header as on the wire, or None."""
    values = raw_values(message, name)
    return values[0] if values else None


def _undo_8bit(value: str) -> str:
    """Raw 8-bit bytes in a header (undeclared UTF-8 or Latin-1) back to the characters they meant."""
    if value.isascii() or not any("\udc80" <= c <= "\udcff" for c in value):
        return value
    return decode_text(value.encode("ascii", "surrogateescape"), None)[0]


# An RFC 2047 encoded word: no whitespace or "?" inside, an optional RFC 2231 language after "*".
_ENCODED_WORD = re.compile(r"=\?([^?\s*]+)(?:\*[^?\s]*)?\?([QqBb])\?([^?\s]*)\?=")
_QP_BYTE = re.compile(rb"=([0-9A-Fa-f]{2})")


def _word_bytes(encoding: str, payload: str) -> bytes | None:
    """The bytes of one encoded word's text, or None when it does not decode."""
    if encoding in "Bb":
        try:
            return base64.b64decode(payload + "=" * (-len(payload) % 4))
        except (binascii.Error, ValueError):
            return None
    data = payload.replace("_", " ").encode("ascii", "surrogateescape")
    return _QP_BYTE.sub(lambda m: bytes([int(m.group(1), 16)]), data)


def _decode_encoded_words(text: str) -> str:
    """Decode RFC 2047 words; adjacent words of one charset are joined first, since some mailers split a
    character's bytes over two words. A word that does not decode stays as it was."""
    out: list[str] = []
    pending: tuple[str, bytearray] | None = None
    position = 0
    for match in _ENCODED_WORD.finditer(text):
        between = text[position : match.start()]
        charset, encoding, payload = match.groups()
        data = _word_bytes(encoding, payload)
        adjacent = pending is not None and not between.strip()
        if pending is not None and not (adjacent and data is not None and pending[0] == charset.lower()):
            out.append(decode_text(bytes(pending[1]), pending[0])[0])
            pending = None
        if not adjacent:
            out.append(between)
        if data is None:
            out.append(match.group(0))
        elif pending is None:
            pending = (charset.lower(), bytearray(data))
        else:
            pending[1].extend(data)
        position = match.end()
    if pending is not None:
        out.append(decode_text(bytes(pending[1]), pending[0])[0])
    out.append(text[position:])
    return "".join(out)


def decode_words(value: str | None, limit: int = MAX_VALUE_CHARS) -> str:
    """A header value as a person reads it: unfolded, RFC 2047 words decoded, whitespace collapsed."""
    if not value:
        return ""
    text = _undo_8bit(_FOLD.sub(" ", value[: limit * 4]))
    if "=?" in text:
        text = _decode_encoded_words(text)
    return _SPACES.sub(" ", text).strip()[:limit]


def parse_addresses(values: list[str], keep: int) -> tuple[tuple[Address, ...], int]:
    """The first `keep` valid addresses of some address headers, and how many there were in all.

    Each header is read up to MAX_ADDRESS_HEADER_CHARS (cut at a comma); past that, recipients are
    counted by their '@' only, so 10,000 recipients cost milliseconds and keep a bounded list.
    """
    kept: list[Address] = []
    total = 0
    for value in values:
        text = _FOLD.sub(" ", value)
        if len(text) > MAX_ADDRESS_HEADER_CHARS:
            cut = text.rfind(",", 0, MAX_ADDRESS_HEADER_CHARS)
            cut = cut if cut > 0 else MAX_ADDRESS_HEADER_CHARS
            total += text.count("@", cut)
            text = text[:cut]
        try:
            pairs = getaddresses([text])
        except (ValueError, IndexError, TypeError):
            pairs = []
        if not any(_ADDR_SPEC.match(address.strip()) for _, address in pairs):
            pairs = _salvage(text)
        for name, address in pairs:
            address = _undo_8bit(address.strip()).lower()
            if not _ADDR_SPEC.match(address):
                continue
            total += 1
            if len(kept) < keep:
                kept.append(Address(decode_words(name, 200).strip("\"' "), address))
    return tuple(kept), total


def _salvage(text: str) -> list[tuple[str, str]]:
    """Addresses from a header too broken to parse: anything shaped like one, the text before it as name."""
    pairs: list[tuple[str, str]] = []
    position = 0
    for match in _LOOSE_ADDRESS.finditer(text):
        name = text[position : match.start()].split(",")[-1].split("<")[0]
        pairs.append((name.strip(" \"'<>()"), match.group(0)))
        position = match.end()
    return pairs


def normalise_id(value: str | None) -> str | None:
    """A Message-ID in the form Attent stores it, `<local@domain>`, or None when it is no usable id."""
    if not value:
        return None
    value = _FOLD.sub(" ", value).strip()
    match = _ID_TOKEN.search(value)
    if match:
        return f"<{match.group(1)}>"
    bare = value.strip("<> ")
    if (
        bare
        and len(bare) <= MAX_ID_CHARS
        and not _SPACES.search(bare)
        and "<" not in bare
        and ">" not in bare
    ):
        return f"<{bare}>"
    return None


def id_list(value: str | None) -> tuple[str, ...]:
    """The ids of a References or In-Reply-To header; of many, the first (the thread's root) and the last."""
    if not value:
        return ()
    ids: list[str] = []
    seen: set[str] = set()
    for match in _ID_TOKEN.finditer(_FOLD.sub(" ", value)):
        ident = f"<{match.group(1)}>"
        if ident not in seen:
            seen.add(ident)
            ids.append(ident)
    if not ids:
        single = normalise_id(value)
        return (single,) if single else ()
    if len(ids) > MAX_REFERENCES:
        ids = [ids[0], *ids[-(MAX_REFERENCES - 1) :]]
    return tuple(ids)


def parse_date(value: str | None) -> datetime | None:
    """The Date header as an aware datetime (UTC when it names no zone), or None when unreadable."""
    if not value:
        return None
    try:
        parsed = parsedate_to_datetime(_FOLD.sub(" ", value).strip()[:200])
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if parsed is None:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def generated_id(headers: HeaderIndex, raw: bytes) -> str:
    """A stable Message-ID for a message without one: the same message fetched twice gets the same id.

    It hashes what a sender wrote (From, To, Cc, Date, Subject and the body), not what servers add on the
    way (Received, Return-Path) nor their line endings, so the copy that arrives by pipe and the one
    fetched by IMAP agree.
    """
    digest = hashlib.sha256()
    for name in ("from", "to", "cc", "date", "subject"):
        for value in headers.all(name):
            digest.update(
                name.encode() + b":" + _FOLD.sub(" ", value).strip().encode("utf-8", "surrogateescape")
            )
            digest.update(b"\n")
    # Line endings differ by path (a maildir file has LF, IMAP sends CRLF): hash the body with LF only.
    text = raw.replace(b"\r\n", b"\n")
    body_at = text.find(b"\n\n")
    digest.update(text[body_at:] if body_at >= 0 else text)
    return f"<{digest.hexdigest()[:40]}@generated.attent>"
