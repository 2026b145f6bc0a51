"""Repeating rows in plain HTML forms (`steps-0-key`, `steps-1-key`, …) and their validation errors."""

import re
from collections.abc import Sequence
from typing import Any

from pydantic import ValidationError
from starlette.datastructures import FormData

from attent.core.errors import AttentError, Invalid
from attent.core.i18n import gettext

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
}


def messages(exc: AttentError | ValidationError, label: Any, language: str) -> list[str]:
    """One readable line per bad field; `label(path)` names the field the way the form shows it."""
    if isinstance(exc, ValidationError):
        return [f"{label(tuple(e['loc']))}: {_plain(e, language)}" for e in exc.errors()]
    if isinstance(exc, Invalid) and exc.errors:
        return [f"{label(e.path)}: {e.message}" for e in exc.errors]
    return [exc.detail]


def _plain(error: Any, language: str) -> str:
    template = PLAIN.get(error["type"])
    if template is None:
        return str(error["msg"]).removeprefix("Value error, ")
    return gettext(language, template, **(error.get("ctx") or {}))
