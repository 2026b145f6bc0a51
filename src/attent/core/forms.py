"""Repeating rows in plain HTML forms (`steps-0-key`, `steps-1-key`, …) and their validation errors."""

import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError
from starlette.datastructures import FormData

from attent.core.errors import AttentError, Invalid
from attent.core.i18n import LANGUAGES, gettext
from attent.core.moments import NAIVE, OUTSIDE, OUTSIDE_DAY

MAX_ROWS = 60


def rows(form: FormData, prefix: str, fields: Sequence[str]) -> list[dict[str, str]]:
    """The posted rows in their `position` order; blank rows and rows ticked `remove` are left out."""
    pattern = re.compile(rf"^{re.escape(prefix)}-(\d+)-([a-z_]+)$")
    found: dict[int, dict[str, str]] = {}
    for name, value in form.multi_items():
        match = pattern.match(name)
        if match and int(match[1]) < MAX_ROWS and isinstance(value, str):
            found.setdefault(int(match[1]), {})[match[2]] = value.strip()
    kept = [
        (index, row)
        for index, row in sorted(found.items())
        if not row.get("remove") and any(row.get(field) for field in fields)
    ]
    kept.sort(key=lambda item: (_position(item[1].get("position"), item[0]), item[0]))
    return [{field: row.get(field, "") for field in fields} for _index, row in kept]


def _position(value: str | None, default: int) -> float:
    try:
        return float(value) if value else default
    except ValueError:
        return default


# Pydantic speaks English only; the errors a form can cause get a sentence in the reader's language.
PLAIN = {
    "missing": "Fill this in.",
    "string_too_short": "Fill this in.",
    "string_too_long": "This is too long (at most {max_length} characters).",
    "string_pattern_mismatch": "Use lower-case letters, digits and _ only, starting with a letter.",
    "int_parsing": "Give a whole number.",
    "int_from_float": "Give a whole number.",
    "greater_than": "Must be more than {gt}.",
    "greater_than_equal": "Must be at least {ge}.",
    "less_than_equal": "Must be at most {le}.",
    "too_short": "Give at least {min_length}.",
    "too_long": "Give at most {max_length}.",
    "moment_naive": NAIVE,
    "moment_outside": OUTSIDE,
    "day_outside": OUTSIDE_DAY,
}


def to_row(item: Mapping[str, Any], fields: Sequence[str]) -> dict[str, str]:
    """A stored item as the form's text fields; `title_nl` is `item["title"]["nl"]`."""
    row = {}
    for column in fields:
        name, _, language = column.rpartition("_")
        value = item[name][language] if language in LANGUAGES and name in item else item.get(column)
        row[column] = "" if value is None else str(value)
    return row


def from_row(row: Mapping[str, str], fields: Sequence[str], optional: Collection[str] = ()) -> dict[str, Any]:
    """The form's text fields as the API's item; a blank `optional` field is left to its default."""
    item: dict[str, Any] = {}
    for column in fields:
        name, _, language = column.rpartition("_")
        if language in LANGUAGES:
            item.setdefault(name, {})[language] = row[column]
        else:
            item[column] = None if column in optional and not row[column] else row[column]
    return item


@dataclass(frozen=True)
class RowLabels:
    """Names a bad field the way the form shows it: ('steps', 1, 'title', 'nl') is 'Step 2, title (nl)'."""

    collection: str
    item: str  # a msgid with {number}, e.g. "Step {number}"
    fields: Mapping[str, str]  # path part -> msgid of the field's name
    others: Mapping[str, str] = field(default_factory=dict)  # fields outside the rows

    def __call__(self, path: tuple[Any, ...], language: str) -> str:
        """The bad field's name in `language`."""
        if len(path) >= 3 and path[0] == self.collection and isinstance(path[1], int):
            name = gettext(language, self.fields.get(str(path[2]), str(path[2])))
            text = f" ({path[3]})" if len(path) > 3 else ""
            return gettext(language, self.item, number=path[1] + 1) + f", {name}{text}"
        if path and str(path[0]) in self.others:
            return gettext(language, self.others[str(path[0])])
        return gettext(language, self.fields.get(self.collection, self.collection))


def messages(exc: AttentError | ValidationError, labels: RowLabels, language: str) -> list[str]:
    """One readable line per bad field, each naming the field the way the form shows it."""
    if isinstance(exc, ValidationError):
        return [f"{labels(tuple(e['loc']), language)}: {_plain(e, language)}" for e in exc.errors()]
    if isinstance(exc, Invalid) and exc.errors:
        return [f"{labels(e.path, language)}: {e.message}" for e in exc.errors]
    return [exc.detail]


def _plain(error: Any, language: str) -> str:
    template = PLAIN.get(error["type"])
    if template is None:
        return str(error["msg"]).removeprefix("Value error, ")
    return gettext(language, template, **(error.get("ctx") or {}))
