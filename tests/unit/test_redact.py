"""Masking at intake: only numbers that pass their check are masked; the mark says what was there."""

import pytest

from attent.core.redact import eleven_proof, iban_ok, luhn, redact


@pytest.mark.parametrize(
    ("said", "stored"),
    [
        ("kaart 4111 1111 1111 1111 graag", "kaart [•••• 1111] graag"),
        ("card 5500-0000-0000-0004.", "card [•••• 0004]."),
        ("rekening NL91ABNA0417164300", "rekening [IBAN NL••••4300]"),
        ("IBAN: nl91 abna 0417 1643 00", "IBAN: [IBAN NL••••4300]"),
        ("mijn bsn is 111222333", "mijn bsn is [BSN •••••••••]"),
        ("BSN 1112.22.333", "BSN [BSN •••••••••]"),
        ("het wachtwoord is Zomer2024!", "het wachtwoord is [•••]!"),
        ("password: hunter2", "password: [•••]"),
    ],
)
def test_what_is_masked(said, stored):
    assert redact(said) == (stored, 1)


@pytest.mark.parametrize(
    "kept",
    [
        "bestelling 88213, pakket 3SABCD1234567",
        "bel me op 0612345678 of +31 20 123 4567",
        "kaart 4111 1111 1111 1112 (typfout)",  # fails Luhn
        "NL91ABNA0417164301",  # fails mod-97
        "ordernummer 123456789",  # fails the 11-proof
        "het wachtwoord vergeten",
    ],
)
def test_what_stays(kept):
    assert redact(kept) == (kept, 0)


def test_the_checks():
    assert luhn("4111111111111111") and not luhn("4111111111111112")
    assert iban_ok("NL91ABNA0417164300") and not iban_ok("NL91ABNA0417164301")
    assert eleven_proof("111222333") and not eleven_proof("123456789") and not eleven_proof("000000000")
