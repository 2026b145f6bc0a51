"""What erasure keeps and what it wipes, column by column, for every table that holds a customer's data.

Erasure is table-driven: every table with a `customer_id` or `case_id` column is visited, so a table a
later issue adds is covered by default (and the erasure test, which writes a marker everywhere and
finds it nowhere after, fails if it is not). A text column is wiped unless it is structure (a status,
a kind, a language: what the figures count by); JSON is walked and every string in it wiped unless
its key is structure, an id or a time.
"""

from typing import Any

from sqlalchemy import JSON, Column, Enum, String, Text

WIPED = "[gewist]"
# Text columns that hold no personal data: what a row is, not what was said.
KEEP_COLUMNS = frozenset(
    {
        "type",
        "kind",
        "channel",
        "language",
        "template",
        "currency",
        "code",
        "step_type",
        "source",
        "key",
        "message_id",
        "behaviour",
        "week",
        "system",
        "state",
        "status",
        "priority",
        "direction",
        "outcome",
        "speaker",
        "mode",
        "actor_kind",
        "locked_by",
        "result",
    }
)
KEEP_KEYS = frozenset(
    {
        "from",
        "to",
        "field",
        "kind",
        "promise_kind",
        "template",
        "status",
        "priority",
        "type",
        "channel",
        "direction",
        "outcome",
        "language",
        "source",
        "step_type",
        "state",
        "result",
        "behaviour",
        "currency",
        "code",
        "reason_code",
    }
)
# Tables erasure leaves alone: they hold ids only (the access log), or nothing a customer said.
SKIP_TABLES = frozenset({"access_log", "case_viewers", "coach_queue", "team_memberships"})


def wipe_json(value: Any, key: str = "") -> Any:
    """Every string wiped but structure, ids and times; numbers, booleans and shapes stay."""
    if isinstance(value, dict):
        return {k: wipe_json(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [wipe_json(v, key) for v in value]
    if isinstance(value, str) and not (key in KEEP_KEYS or key.endswith(("_id", "_at", "_ids", "_by"))):
        return WIPED
    return value


def wiped_columns(columns: list[Column[Any]]) -> list[Column[Any]]:
    """The columns of a table erasure overwrites."""
    return [
        c
        for c in columns
        if not c.primary_key
        and not c.name.endswith("_id")
        and c.name not in KEEP_COLUMNS
        and not isinstance(c.type, Enum)
        and isinstance(c.type, String | Text | JSON)
    ]
