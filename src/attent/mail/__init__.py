"""The e-mail channel's foundations: parsing a raw message, encrypting mailbox passwords, talking IMAP.

Nothing here touches the database: `parsing.parse` turns bytes into a `ParsedMail`, `crypto` seals
passwords with a key derived from ATTENT_SECRET_KEY, and `imap` fetches, marks and waits for mail.
"""

# What other domains use: parsing, the kinds of sender, passwords, IMAP (mailboxes), and the file rules an
# attachment from any channel goes through (files).
from attent.mail.attachments import classify_file, sanitise_filename, sniff
from attent.mail.classify import Bounce, MailKind
from attent.mail.crypto import SecretUnreadable, decrypt_password, encrypt_password
from attent.mail.imap import (
    Batch,
    ConnectionCheck,
    Cursor,
    FetchedMessage,
    ImapError,
    ImapMailbox,
    ImapSettings,
)
from attent.mail.imap import Security as ImapSecurity
from attent.mail.imap import test_connection as check_imap
from attent.mail.parsing import ParsedMail, parse

__all__ = [
    "Batch",
    "Bounce",
    "ConnectionCheck",
    "Cursor",
    "FetchedMessage",
    "ImapError",
    "ImapMailbox",
    "ImapSecurity",
    "ImapSettings",
    "MailKind",
    "ParsedMail",
    "SecretUnreadable",
    "check_imap",
    "classify_file",
    "decrypt_password",
    "encrypt_password",
    "parse",
    "sanitise_filename",
    "sniff",
]
