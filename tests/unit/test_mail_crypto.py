"""Mailbox passwords sealed with a key derived from ATTENT_SECRET_KEY: they open only with that key."""

import base64

import pytest

from attent.mail.crypto import SecretUnreadable, decrypt_password, encrypt_password

KEY = "a-long-random-production-secret-0123456789"


def test_a_sealed_password_opens_with_the_same_key_and_context():
    token = encrypt_password("Wachtwoord met spaties & één €", secret_key=KEY, context="org-1/mailbox-7")
    assert token.startswith("v1:") and "Wachtwoord" not in token
    assert (
        decrypt_password(token, secret_key=KEY, context="org-1/mailbox-7") == "Wachtwoord met spaties & één €"
    )


def test_sealing_twice_gives_different_tokens():
    assert encrypt_password("geheim", secret_key=KEY) != encrypt_password("geheim", secret_key=KEY)


def test_a_wrong_key_fails_clearly():
    token = encrypt_password("geheim", secret_key=KEY)
    with pytest.raises(SecretUnreadable) as failure:
        decrypt_password(token, secret_key=KEY + "-rotated")
    assert failure.value.code == "secret_key_mismatch"
    assert "ATTENT_SECRET_KEY" in failure.value.detail


def test_a_password_copied_to_another_mailbox_does_not_open():
    token = encrypt_password("geheim", secret_key=KEY, context="org-1/mailbox-7")
    with pytest.raises(SecretUnreadable) as failure:
        decrypt_password(token, secret_key=KEY, context="org-2/mailbox-9")
    assert failure.value.code == "secret_key_mismatch"


@pytest.mark.parametrize(
    ("token", "code"),
    [
        ("plain-text-password", "secret_unknown_format"),
        ("v1:!!!", "secret_damaged"),
        ("v1:", "secret_damaged"),
    ],
)
def test_a_damaged_token_fails_clearly(token, code):
    with pytest.raises(SecretUnreadable) as failure:
        decrypt_password(token, secret_key=KEY)
    assert failure.value.code == code


def test_a_flipped_bit_is_detected():
    token = encrypt_password("geheim", secret_key=KEY)
    sealed = bytearray(base64.urlsafe_b64decode(token.removeprefix("v1:")))
    for position in (0, 12, len(sealed) - 1):  # the nonce, the ciphertext, the tag
        damaged = sealed.copy()
        damaged[position] ^= 0x01
        with pytest.raises(SecretUnreadable):
            decrypt_password("v1:" + base64.urlsafe_b64encode(bytes(damaged)).decode(), secret_key=KEY)


def test_an_empty_key_is_refused():
    with pytest.raises(ValueError, match="empty secret key"):
        encrypt_password("geheim", secret_key="")
