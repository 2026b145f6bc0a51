"""Customer messages from plain-text templates, one file per language, first line the subject.

The templates live in templates/messages/<lang>/<name>.txt so a service team can read and change the
wording without touching code. Messages are plain text: nothing a customer typed can become markup.
"""

from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from attent.core.errors import Invalid
from attent.core.i18n import pick_language
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
    values = {"case_link": "", **values}  # a message about a case links to it when the address is known
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
