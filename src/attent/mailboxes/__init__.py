"""E-mail as a channel: mailboxes (IMAP in, SMTP out), the mail they receive, and threading it onto cases."""

from attent.mailboxes.models import InboundMail, Mailbox, MailState, Security

__all__ = ["InboundMail", "MailState", "Mailbox", "Security"]
