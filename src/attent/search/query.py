"""A search query read once: its words, a fragment for `LIKE`, a phone number, an id; never syntax."""

import base64
import binascii
import json
import re
import uuid
from dataclasses import dataclass

import phonenumbers

from attent.core.errors import FieldError, Invalid
from attent.core.textsearch import query_words, stems
from attent.search.schemas import MAX_QUERY, SearchKind

PHONE_LIKE = re.compile(r"^\+?[\d\s\-().\/]{6,40}$")
PHONE_NOISE = re.compile(r"[\s\-+().\/]")
REGION = "NL"  # a number written without a country code is read as Dutch ("06-12345678")


@dataclass(frozen=True)
class Query:
    """What one search looks for."""

    text: str  # as typed, trimmed
    words: list[str]  # folded words, at most MAX_WORDS
    lowered: str  # the whole query in lower case, for exact e-mail and reference matches
    fragment: str | None  # a LIKE pattern for a part of a value (3 characters or more), escaped
    exact: str  # a LIKE pattern for the whole value, escaped: ILIKE with it is a case-blind equality
    phone: str | None  # the digits a stored phone number must contain (its national number)
    whole_phone: bool  # the query is a complete, valid phone number
    id: uuid.UUID | None  # the query is an id (a case's or a customer's)

    @property
    def empty(self) -> bool:
        """Nothing to look for."""
        return not self.words and not self.fragment and not self.phone and not self.id

    def fts5(self, *, prefix: bool) -> str:
        """An FTS5 MATCH expression: every word as itself or one of its stems, all quoted, all required."""
        groups = []
        for word in self.words:
            options = [f'"{s}"' for s in stems(word)]
            if prefix:
                options.append(f'"{word}"*')
            groups.append("(" + " OR ".join(options) + ")")
        return " AND ".join(groups)

    @property
    def prefix_tsquery(self) -> str:
        """A PostgreSQL tsquery of every word as a prefix (words are letters and digits only)."""
        return " & ".join(f"{word}:*" for word in self.words)

    @property
    def plain(self) -> str:
        """The words, for plainto_tsquery."""
        return " ".join(self.words)


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _phone(text: str) -> tuple[str | None, bool]:
    if not PHONE_LIKE.match(text):
        return None, False
    digits = PHONE_NOISE.sub("", text)
    if len(digits) < 6:
        return None, False
    try:
        number = phonenumbers.parse(text, REGION)
    except phonenumbers.NumberParseException:
        return digits.lstrip("0") or None, False
    return str(number.national_number), phonenumbers.is_valid_number(number)


def read_query(q: str) -> Query:
    """The query as typed; over MAX_QUERY characters is a 422 that names the limit."""
    if len(q) > MAX_QUERY:
        raise Invalid(
            "query_too_long",
            "A search is at most {max} characters.",
            [FieldError(("query", "q"), "A search is at most {max} characters.", {"max": MAX_QUERY})],
            max=MAX_QUERY,
        )
    text = q.strip()
    lowered = text.lower()
    phone, whole = _phone(text)
    try:
        as_id = uuid.UUID(text) if 32 <= len(text) <= 36 else None
    except ValueError:
        as_id = None
    return Query(
        text=text,
        words=query_words(text),
        lowered=lowered,
        fragment=f"%{_escape(lowered)}%" if len(lowered) >= 3 else None,
        exact=_escape(lowered),
        phone=phone,
        whole_phone=whole,
        id=as_id,
    )


def _bad_cursor() -> Invalid:
    return Invalid(
        "invalid_cursor",
        "The cursor is not one this list handed out.",
        [FieldError(("query", "cursor"), "Malformed cursor.")],
    )


def encode_cursor(kind: SearchKind, offset: int) -> str:
    """The cursor that continues a kind's results after `offset` of them.

    Results are ranked, not sorted by a key, so the cursor holds the position: a result whose rank
    changed between pages may be shown twice or skipped, which a search may afford and a list may not.
    """
    raw = json.dumps([kind.value, offset], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def decode_cursor(cursor: str) -> tuple[SearchKind, int]:
    """The kind and position a cursor continues; one search did not hand out is a 422."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        kind, offset = json.loads(raw)
        if not isinstance(offset, int) or not 0 <= offset <= 10_000:
            raise ValueError(offset)
        return SearchKind(kind), offset
    except (binascii.Error, ValueError, TypeError, UnicodeDecodeError):
        raise _bad_cursor() from None
