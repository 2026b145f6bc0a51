"""Repeating rows in plain HTML forms (`steps-0-key`, `steps-1-key`, …) and their validation errors."""

import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError
from starlette.datastructures import FormData

from attent.core.errors import AttentError, BadValue, Invalid
from attent.core.i18n import LANGUAGES, gettext
from attent.core.labels import N_
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


# Pydantic speaks English only; the errors input can cause get a sentence in the reader's language
# (marked N_ so `make messages` keeps them).
PLAIN = {
    "missing": N_("Fill this in."),
    "string_too_short": N_("Give at least {min_length} characters."),
    "string_too_long": N_("This is too long (at most {max_length} characters)."),
    "string_pattern_mismatch": N_("This is not written the way it should be."),
    "string_type": N_("Give a text."),
    "int_parsing": N_("Give a whole number."),
    "int_from_float": N_("Give a whole number."),
    "int_type": N_("Give a whole number."),
    "float_parsing": N_("Give a number."),
    "float_type": N_("Give a number."),
    "bool_parsing": N_("Give true or false."),
    "bool_type": N_("Give true or false."),
    "greater_than": N_("Must be more than {gt}."),
    "greater_than_equal": N_("Must be at least {ge}."),
    "less_than": N_("Must be less than {lt}."),
    "less_than_equal": N_("Must be at most {le}."),
    "too_short": N_("Give at least {min_length}."),
    "too_long": N_("Give at most {max_length}."),
    "enum": N_("Choose one of: {expected}."),
    "literal_error": N_("Choose one of: {expected}."),
    "uuid_parsing": N_("This is not a valid id."),
    "uuid_type": N_("This is not a valid id."),
    "datetime_parsing": N_("Give a date and time such as 2026-11-23T15:30:00+01:00."),
    "datetime_from_date_parsing": N_("Give a date and time such as 2026-11-23T15:30:00+01:00."),
    "datetime_type": N_("Give a date and time such as 2026-11-23T15:30:00+01:00."),
    "timezone_aware": N_("Give the time with its time zone, such as +01:00 or Z."),
    "date_parsing": N_("Give a date such as 2026-11-23."),
    "date_from_datetime_parsing": N_("Give a date such as 2026-11-23."),
    "date_type": N_("Give a date such as 2026-11-23."),
    "dict_type": N_("Give an object with named fields."),
    "model_type": N_("Give an object with named fields."),
    "model_attributes_type": N_("Give an object with named fields."),
    "list_type": N_("Give a list."),
    "extra_forbidden": N_("Unknown field; it is not part of this request."),
    "json_invalid": N_("The request body is not valid JSON."),
    "union_tag_invalid": N_("Choose one of the values offered."),
    "union_tag_not_found": N_("Fill this in."),
    "moment_naive": NAIVE,  # marked where they are written (core/moments.py)
    "moment_outside": OUTSIDE,
    "day_outside": OUTSIDE_DAY,
}
_BLANK = N_("Fill this in.")
_CODE = N_("Use lower-case letters, digits and _ only, starting with a letter.")


def plain(error: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    """A pydantic error as a template the catalogs can say, and its values.

    A validator's own sentence (`raise ValueError("…")` or `BadValue`) is the template itself; an
    error kind not listed keeps pydantic's English, which a Dutch page then shows as a catalog miss."""
    kind, ctx = error["type"], dict(error.get("ctx") or {})
    if kind == "string_too_short" and ctx.get("min_length") == 1:
        return _BLANK, {}
    if kind == "string_pattern_mismatch" and "[a-z][a-z0-9_]" in str(ctx.get("pattern")):
        return _CODE, {}
    if kind in PLAIN:
        template = PLAIN[kind]
        if "expected" in ctx:  # "'a', 'b' or 'c'": the values are the machine's, the "or" is English
            ctx["expected"] = str(ctx["expected"]).replace(" or ", ", ")
        return template, {k: v for k, v in ctx.items() if "{" + k + "}" in template}
    cause = ctx.get("error")
    if isinstance(cause, BadValue):
        return cause.template, dict(cause.params)
    return str(error["msg"]).removeprefix("Value error, ").removeprefix("Assertion failed, "), {}


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
        return [f"{labels(tuple(e['loc']), language)}: {say_plain(e, language)}" for e in exc.errors()]
    if isinstance(exc, Invalid) and exc.errors:
        return [f"{labels(e.path, language)}: {e.say(language)}" for e in exc.errors]
    return [exc.say(language)]


def say_plain(error: Mapping[str, Any], language: str) -> str:
    """A pydantic error in the reader's language."""
    template, params = plain(error)
    return gettext(language, template, **params)
