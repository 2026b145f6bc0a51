"""Dutch (default) and English, through Babel catalogs in attent/locales/<lang>/LC_MESSAGES/messages.po.

The .po files are read and compiled in memory at first use, so there is no build step to forget.
"""

from functools import lru_cache
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

LOCALES = Path(__file__).resolve().parent.parent / "locales"
LANGUAGES = ("nl", "en")
DEFAULT = "nl"


@lru_cache(maxsize=len(LANGUAGES))
def translations(language: str) -> NullTranslations:
    """The compiled catalog for a language; English's catalog only turns machine values into labels."""
    po = LOCALES / language / "LC_MESSAGES" / "messages.po"
    if not po.exists():
        return NullTranslations()
    with po.open("rb") as fp:
        catalog = read_po(fp, locale=language)
    buffer = BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(fp=buffer)


def pick_language(language: str | None) -> str:
    """A supported language, falling back to Dutch."""
    return language if language in LANGUAGES else DEFAULT


def gettext(language: str, message: str, **values: object) -> str:
    """Translate `message` and fill in its {named} placeholders."""
    # An empty msgid would return the catalog header, so it is passed through untouched.
    text = translations(pick_language(language)).gettext(message) if message else message
    return text.format(**values) if values else text
