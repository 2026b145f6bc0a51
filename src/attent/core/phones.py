"""Telephone numbers to E.164 (+31612345678), with Google's maintained numbering plans (`phonenumbers`).

A caller's number arrives as the telephone system writes it: "+31 6 12345678", "0031612345678",
Dutch "06-12345678", or a withheld number ("anonymous", "private", empty). Only E.164 is compared.
"""

import re

import phonenumbers

# What telephone systems send when the caller withheld the number (SIP "anonymous", Twilio's
# "+266696687" spells ANONYMOUS on a keypad; carriers say "restricted", "private", "unavailable").
WITHHELD = {"", "anonymous", "private", "restricted", "unknown", "unavailable", "withheld", "+266696687"}
_DIGITS = re.compile(r"\D+")


def is_withheld(raw: str | None) -> bool:
    """Whether the caller withheld their number (nothing to call back, nobody to recognise)."""
    return raw is None or raw.strip().lower() in WITHHELD


def e164(raw: str | None, region: str = "NL") -> str | None:
    """The number in E.164, read as a number of `region` when it has no country code; None when it is
    withheld or is no possible telephone number."""
    if is_withheld(raw):
        return None
    assert raw is not None
    text = raw.strip()
    if text.lower().startswith(("tel:", "sip:")):
        text = text[4:].split("@")[0]
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def tail(number: str, digits: int = 8) -> str:
    """The last digits of a number, the part every way of writing it shares (for a first, coarse match)."""
    return _DIGITS.sub("", number)[-digits:]
