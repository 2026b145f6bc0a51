"""Masking at intake: card numbers (Luhn-checked), IBANs (mod-97), BSNs (the 11-proof) and passwords
said in a transcript or an e-mail are replaced before the text is stored, with a visible mark.

Only numbers that pass their check are masked, so an order number or a phone number stays readable;
a nine-digit number that happens to pass the 11-proof is masked as a BSN (about one in eleven do):
better one order number hidden than one BSN kept. A card keeps its last four digits and an IBAN its
last four characters, so an agent can still say "the card ending in 1234".
"""

import re
from collections.abc import Callable

_CARD = re.compile(r"(?<![\d-])(?:\d[ -]?){12,18}\d(?![\d-])")
_IBAN = re.compile(r"\b([A-Z]{2}\d{2})((?: ?[A-Z0-9]){11,30})\b", re.IGNORECASE)
_BSN = re.compile(
    r"(?<![\d.-])(\d{4})[. ]?(\d{2})[. ]?(\d{3})(?![\d.-])"  # 1112.22.333, as on a passport
    r"|(?<![\d.-])(\d{3})[. ]?(\d{3})[. ]?(\d{3})(?![\d.-])"  # 111 222 333
)
_PASSWORD = re.compile(
    r"(?i)\b(wachtwoord|password|passwort|pincode|pin code|pin)(\s*(?:is|was|:|=)\s*)([^\s,.;!?]+)"
)
MASK = "•"


def luhn(digits: str) -> bool:
    """The card-number checksum."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        n = int(ch)
        if i % 2:
            n = n * 2 - 9 if n > 4 else n * 2
        total += n
    return total % 10 == 0


def iban_ok(iban: str) -> bool:
    """ISO 13616: the number with its first four characters moved to the end is 1 modulo 97."""
    moved = iban[4:] + iban[:4]
    return int("".join(str(int(c, 36)) for c in moved)) % 97 == 1


def eleven_proof(digits: str) -> bool:
    """The BSN check: 9·d1 + 8·d2 + … + 2·d8 - d9 is a multiple of 11 (and not all zeros)."""
    if len(digits) != 9 or digits == "0" * 9:
        return False
    total = sum(int(d) * w for d, w in zip(digits[:8], range(9, 1, -1), strict=True)) - int(digits[8])
    return total % 11 == 0


def _card(match: re.Match[str]) -> str:
    digits = re.sub(r"\D", "", match.group(0))
    if 13 <= len(digits) <= 19 and luhn(digits):
        return f"[{MASK * 4} {digits[-4:]}]"
    return match.group(0)


def _iban(match: re.Match[str]) -> str:
    iban = re.sub(r"\s", "", match.group(0)).upper()
    if 15 <= len(iban) <= 34 and iban_ok(iban):
        return f"[IBAN {iban[:2]}{MASK * 4}{iban[-4:]}]"
    return match.group(0)


def _bsn(match: re.Match[str]) -> str:
    digits = re.sub(r"\D", "", match.group(0))
    return f"[BSN {MASK * 9}]" if eleven_proof(digits) else match.group(0)


def redact(text: str) -> tuple[str, int]:
    """The text with every card number, IBAN, BSN and said password masked, and how many were."""
    count = 0

    def counted(replace: Callable[[re.Match[str]], str]) -> Callable[[re.Match[str]], str]:
        def run(match: re.Match[str]) -> str:
            nonlocal count
            out: str = replace(match)
            count += out != match.group(0)
            return out

        return run

    text = _IBAN.sub(counted(_iban), text)
    text = _CARD.sub(counted(_card), text)
    text = _BSN.sub(counted(_bsn), text)
    text = _PASSWORD.sub(counted(lambda m: f"{m.group(1)}{m.group(2)}[{MASK * 3}]"), text)
    return text, count
