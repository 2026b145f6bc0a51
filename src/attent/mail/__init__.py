"""The e-mail channel's foundations: parsing a raw message, encrypting mailbox passwords, talking IMAP.

Nothing here touches the database: `parsing.parse` turns bytes into a `ParsedMail`, `crypto` seals
passwords with a key derived from ATTENT_SECRET_KEY, and `imap` fetches, marks and waits for mail.
"""

# What other domains may use: the file rules an attachment from any channel goes through (`attent.files`).
from attent.mail.attachments import classify_file, sanitise_filename, sniff

__all__ = ["classify_file", "sanitise_filename", "sniff"]
