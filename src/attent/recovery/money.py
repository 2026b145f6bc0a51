"""Amounts in cents as people read them: "€ 15,00" in Dutch, "€15.00" in English."""

from dataclasses import dataclass

from babel.numbers import format_currency

from attent.core.i18n import pick_language

LOCALES = {"nl": "nl_NL", "en": "en_GB"}


def money(cents: int, currency: str, language: str = "en") -> str:
    """Format an amount in cents for a reader of `language`."""
    return format_currency(cents / 100, currency, locale=LOCALES[pick_language(language)])


@dataclass(frozen=True)
class Money:
    """An amount in an error's sentence, written the way its reader writes amounts."""

    cents: int
    currency: str

    def say(self, language: str) -> str:
        """The amount for a reader of `language`."""
        return money(self.cents, self.currency, language)
