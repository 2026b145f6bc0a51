"""Bytes to text when the declared charset is missing, unknown or wrong, as real mail often has it."""

import codecs

# As browsers do (WHATWG Encoding): these labels mean Windows-1252, a superset that gives 0x80-0x9F
# their printable meaning (€, curly quotes) instead of control characters.
WINDOWS_1252_LABELS = frozenset(
    {"iso-8859-1", "iso8859-1", "latin1", "latin-1", "l1", "us-ascii", "ascii", "ansi_x3.4-1968", "cp819"}
)
SINGLE_BYTE = WINDOWS_1252_LABELS | {"windows-1252", "cp1252", "iso-8859-15", "iso8859-15", "latin-9"}
NO_CHARSET = frozenset({"", "unknown-8bit", "x-unknown", "unknown", "default", "8bit", "x-user-defined"})


def _codec(label: str | None) -> str | None:
    """The Python codec for a declared charset label, or None when it is absent or unknown."""
    name = (label or "").strip().strip("\"'").lower()
    if name in NO_CHARSET:
        return None
    if name in WINDOWS_1252_LABELS:
        return "cp1252"
    try:
        return codecs.lookup(name).name
    except (LookupError, ValueError):
        return None


def _has_multibyte_utf8(data: bytes) -> bool:
    """Valid UTF-8 that is not plain ASCII: text mislabelled as Latin-1 is almost always this."""
    if data.isascii():
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def decode_text(data: bytes, declared: str | None) -> tuple[str, bool]:
    """Decode `data`; returns the text and whether a declared charset was wrong or unknown.

    The declared charset wins when it decodes cleanly, except that text declared as a single-byte
    charset but valid multi-byte UTF-8 is read as UTF-8 (the common mislabel). Otherwise UTF-8, then
    Windows-1252 with replacement characters: never an exception.
    """
    codec = _codec(declared)
    label = (declared or "").strip().lower()
    if codec is not None:
        if (label in SINGLE_BYTE or codec == "cp1252") and _has_multibyte_utf8(data):
            return data.decode("utf-8"), True
        try:
            return data.decode(codec), False
        except (UnicodeDecodeError, LookupError, ValueError):
            pass
    overruled = bool(label) and label not in NO_CHARSET
    try:
        return data.decode("utf-8-sig"), overruled
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), overruled
