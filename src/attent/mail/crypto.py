"""Mailbox passwords sealed at rest with a key derived from ATTENT_SECRET_KEY.

AES-256-GCM with a fresh random nonce per password; the key is HKDF-SHA256 of the secret key with a
purpose label, so the same ATTENT_SECRET_KEY used for signing elsewhere never doubles as this key. A
`context` (say the organisation and mailbox ids) is bound in as associated data: a sealed password
copied onto another mailbox's row does not open there. A wrong key, a tampered token or a wrong
context fails with `SecretUnreadable`, never with a wrong password.

The HKDF does not stretch a weak secret: ATTENT_SECRET_KEY must be long and random in production
(`python -c "import secrets; print(secrets.token_urlsafe(32))"`).
"""

import base64
import binascii
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from attent.core.errors import AttentError

VERSION = "v1"
_SALT = b"attent/mail"
_INFO = b"attent mailbox password v1"
_NONCE_BYTES = 12


class SecretUnreadable(AttentError):
    """A sealed secret that does not open: another ATTENT_SECRET_KEY, or a damaged value."""

    status = 500
    title = "Stored secret unreadable"


def _key(secret_key: str) -> AESGCM:
    if not secret_key:
        raise ValueError("An empty secret key cannot protect anything.")
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=_SALT, info=_INFO).derive(secret_key.encode())
    return AESGCM(derived)


def encrypt_password(password: str, *, secret_key: str, context: str = "") -> str:
    """Seal a mailbox password: `v1:` and url-safe base64 of nonce and ciphertext."""
    nonce = os.urandom(_NONCE_BYTES)
    sealed = _key(secret_key).encrypt(nonce, password.encode("utf-8"), context.encode("utf-8"))
    return f"{VERSION}:{base64.urlsafe_b64encode(nonce + sealed).decode('ascii')}"


def decrypt_password(token: str, *, secret_key: str, context: str = "") -> str:
    """Open a sealed password; `SecretUnreadable` when the key, the context or the token is wrong."""
    version, _, body = token.partition(":")
    if version != VERSION:
        raise SecretUnreadable(
            "secret_unknown_format", "The stored mailbox password is not in a format Attent knows."
        )
    try:
        data = base64.urlsafe_b64decode(body.encode("ascii"))
    except (binascii.Error, ValueError, UnicodeEncodeError) as error:
        raise SecretUnreadable(
            "secret_damaged", "The stored mailbox password is damaged; enter it again."
        ) from error
    if len(data) <= _NONCE_BYTES:
        raise SecretUnreadable("secret_damaged", "The stored mailbox password is damaged; enter it again.")
    try:
        plain = _key(secret_key).decrypt(data[:_NONCE_BYTES], data[_NONCE_BYTES:], context.encode("utf-8"))
    except InvalidTag as error:
        raise SecretUnreadable(
            "secret_key_mismatch",
            "The mailbox password was stored under another ATTENT_SECRET_KEY (or was altered); "
            "restore that key or enter the password again.",
        ) from error
    return plain.decode("utf-8")
