"""Search results as the API and the page read them."""

import enum
import uuid
from datetime import datetime

from attent.core.schemas import Output

MAX_QUERY = 2000  # characters; a longer query is a 422 that names the limit
MAX_LIMIT = 50


class SearchKind(enum.StrEnum):
    """What a result is; the page groups results by kind in this order.

    Notes are internal: they are their own kind, never mixed into the customer-visible messages.
    Attachments are found by file name; one on a note is marked internal.
    """

    CUSTOMERS = "customers"
    CASES = "cases"
    MESSAGES = "messages"
    NOTES = "notes"
    ATTACHMENTS = "attachments"


class Hit(Output):
    """One result: what to show, where it leads, and which characters of `title`/`snippet` matched."""

    kind: SearchKind
    id: uuid.UUID
    case_id: uuid.UUID | None = None
    customer_id: uuid.UUID | None = None
    title: str
    snippet: str = ""
    title_matches: list[tuple[int, int]] = []  # [start, end) character ranges of the matching words
    snippet_matches: list[tuple[int, int]] = []
    at: datetime | None = None
    internal: bool = False  # an internal note: never shown to a customer


class HitGroup(Output):
    """The results of one kind, best first; `next_cursor` continues this kind."""

    kind: SearchKind
    items: list[Hit]
    next_cursor: str | None = None


class SearchResults(Output):
    """Everything one query found, grouped by kind."""

    query: str
    groups: list[HitGroup]
