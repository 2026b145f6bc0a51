"""Customer messages from plain-text templates, one file per language, first line the subject.

The templates live in templates/messages/<lang>/<name>.txt so a service team can read and change the
wording without touching code. Messages are plain text: nothing a customer typed can become markup.
"""

from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from attent.core.errors import Invalid
from attent.core.i18n import gettext, pick_language
from attent.core.templating import TEMPLATES

MESSAGES = Path(TEMPLATES) / "messages"
_env = Environment(
    loader=FileSystemLoader(str(MESSAGES)),
    autoescape=False,  # noqa: S701 (plain-text e-mail, never HTML)
    undefined=StrictUndefined,
    keep_trailing_newline=True,
    trim_blocks=True,
    lstrip_blocks=True,
)


def render_message(*, template: str, language: str, values: dict[str, Any]) -> tuple[str, str]:
    """(subject, body) of a template in the customer's language (Dutch when we lack theirs)."""
    language = pick_language(language)
    text = _env.get_template(f"{language}/{template}.txt").render(**values)
    subject, _, body = text.partition("\n")
    subject = " ".join(subject.split())
    if not subject or not body.strip():
        raise Invalid(
            "bad_message_template",
            "Template {name} needs a subject line and a body.",
            name=f"{language}/{template}.txt",
        )
    return subject, body.strip() + "\n"


def say_when(
    *, due_by: datetime, now: datetime, timezone: str, language: str, due_from: datetime | None = None
) -> str:
    """A due time as a customer says it: 'vandaag om 14:15', 'morgen tussen 9:00 en 11:00'."""
    language = pick_language(language)
    zone = ZoneInfo(timezone)
    end, today = due_by.astimezone(zone), now.astimezone(zone).date()

    def clock(at: datetime) -> str:
        return format_time(at, "H:mm", locale=language)

    days = (end.date() - today).days
    if days == 0:
        day = gettext(language, "today")
    elif days == 1:
        day = gettext(language, "tomorrow")
    else:
        day = gettext(language, "on {date}", date=format_date(end, "EEEE d MMMM", locale=language))
    start = due_from.astimezone(zone) if due_from is not None else None
    if start is not None and start.date() == end.date() and start < end:
        return gettext(
            language, "{day} between {start} and {end}", day=day, start=clock(start), end=clock(end)
        )
    return gettext(language, "{day} by {time}", day=day, time=clock(end))
