"""Dutch (default) and English, through Babel catalogs in attent/locales/<lang>/LC_MESSAGES/messages.po.

The .po files are read and compiled in memory at first use, so there is no build step to forget.
"""

from collections.abc import Mapping
from functools import lru_cache
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import NullTranslations, Translations

LOCALES = Path(__file__).resolve().parent.parent / "locales"
LANGUAGES = ("nl", "en")
DEFAULT = "nl"


@lru_cache(maxsize=len(LANGUAGES))
def _compiled(language: str) -> tuple[NullTranslations, frozenset[tuple[str | None, str]]]:
    po = LOCALES / language / "LC_MESSAGES" / "messages.po"
    if not po.exists():
        return NullTranslations(), frozenset()
    with po.open("rb") as fp:
        catalog = read_po(fp, locale=language)
    buffer = BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    known = frozenset(
        (m.context, m.id if isinstance(m.id, str) else m.id[0]) for m in catalog if m.id and m.string
    )
    return Translations(fp=buffer), known


def translations(language: str) -> NullTranslations:
    """The compiled catalog for a language; English's catalog only turns machine values into labels."""
    return _compiled(language)[0]


def known(language: str, message: str, context: str | None = None) -> bool:
    """Whether the language's catalog has words for `message` (in `context`)."""
    return (context, message) in _compiled(pick_language(language))[1]


def named_in_catalog(context: str) -> list[str]:
    """The values the Dutch catalog names in a context (the case types Attent knows), sorted."""
    return sorted(message for ctx, message in _compiled(DEFAULT)[1] if ctx == context)


def pick_language(language: str | None) -> str:
    """A supported language, falling back to Dutch."""
    return language if language in LANGUAGES else DEFAULT


def accepted_language(header: str | None) -> str | None:
    """The first supported language of an Accept-Language header (`en-GB,en;q=0.9,nl;q=0.8`), by weight."""
    choices = []
    for position, part in enumerate((header or "").split(",")):
        tag, _, params = part.strip().partition(";")
        weight = 1.0
        if params.strip().startswith("q="):
            try:
                weight = float(params.strip()[2:])
            except ValueError:
                weight = 0.0
        base = tag.strip().lower().split("-")[0]
        if base in LANGUAGES and weight > 0:
            choices.append((-weight, position, base))
    return min(choices)[2] if choices else None


class Label(str):
    """A machine value (a status, a role, a kind) that a sentence shows as its label in the reader's language.

    `Conflict(..., "A {status} case …", status=Label("waiting_on_third_party"))` reads "wacht op derde
    partij" in Dutch and "waiting on third party" in English; `context` separates words that are spelt
    alike but named differently (the role "agent" against the speaker "agent").
    """

    context: str | None = None

    def __new__(cls, value: str, context: str | None = None) -> "Label":
        label = super().__new__(cls, value)
        label.context = context
        return label


class CaseType(Label):
    """A case type in a sentence: shown by its name (see `case_type`)."""

    def __new__(cls, value: str, context: str | None = "case_type") -> "CaseType":
        return super().__new__(cls, value, context)  # type: ignore[return-value]


def label(language: str, value: str, context: str | None = None) -> str:
    """A machine value's label; one the catalog lacks reads as its words (`late_arrival`: late arrival)."""
    catalog = translations(pick_language(language))
    text = str(catalog.pgettext(context, value) if context else catalog.gettext(value))
    return value.replace("_", " ") if text == value else text


def case_type(language: str, value: str) -> str:
    """A case type's name: the catalog's for types Attent knows, else its words (`my_type`: My type)."""
    if known(language, value, "case_type"):
        return str(translations(pick_language(language)).pgettext("case_type", value))
    words = value.replace("_", " ").strip()
    return words[:1].upper() + words[1:]


NUMBER_LOCALES = {"nl": "nl_NL", "en": "en_GB"}


def _say(language: str, value: object) -> object:
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10_000:
        return format_decimal(value, locale=NUMBER_LOCALES[pick_language(language)])  # 20.000, 20,000
    if isinstance(value, CaseType):
        return case_type(language, value)
    if isinstance(value, Label):
        return label(language, value, value.context)
    if isinstance(value, list | tuple) and value and all(isinstance(v, Label) for v in value):
        return ", ".join(label(language, v, v.context) for v in value)  # several labels: "open, resolved"
    if isinstance(value, Mapping) and value and value.keys() <= set(LANGUAGES):
        return value.get(language) or value.get(DEFAULT) or ""  # words stored in both languages
    say = getattr(value, "say", None)
    return say(language) if callable(say) else value  # e.g. an amount, written the reader's way


def _values(language: str, values: Mapping[str, object]) -> dict[str, object]:
    return {k: _say(language, v) for k, v in values.items()}


def gettext(language: str, message: str, **values: object) -> str:
    """Translate `message` and fill in its {named} placeholders.

    A value is said in the reader's language too: a `Label`, a list of them, a {"nl": …, "en": …}
    mapping, or anything with a `say(language)` method (an amount of money)."""
    # An empty msgid would return the catalog header, so it is passed through untouched.
    text = translations(pick_language(language)).gettext(message) if message else message
    return text.format(**_values(language, values)) if values else text


def plural(language: str, one: str, many: str, n: int, **values: object) -> str:
    """The singular or plural form for `n` in the reader's language (Dutch and English: one, or more).

    Templates call it `ngettext(singular, plural, n)`; Python calls it `plural(language, …)`, which
    `make messages` extracts with the keyword plural:2,3."""
    text = translations(pick_language(language)).ngettext(one, many, n)
    return text.format(**_values(language, {"n": n, **values}))
