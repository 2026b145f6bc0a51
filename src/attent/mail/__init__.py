"""The e-mail channel's foundations: parsing a raw message, encrypting mailbox passwords, talking IMAP.

Nothing here touches the database: `parsing.parse` turns bytes into a `ParsedMail`, `crypto` seals
passwords with a key derived from ATTENT_SECRET_KEY, and `imap` fetches, marks and waits for mail.
"""
