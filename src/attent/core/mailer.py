"""One plain e-mail to a person of the organisation (an invitation, a password reset) over SMTP.

Customer mail has its own channel with batching and bounce handling (`attent.channels`); these are a
handful a day, sent by the worker from a queued job, so one connection per message is enough.
"""

import smtplib
import ssl
from email.message import EmailMessage

from attent.core.settings import Settings


class NoMailServer(Exception):
    """No SMTP server is configured, so the message cannot leave."""


def send_plain(settings: Settings, *, to: str, subject: str, body: str, language: str) -> None:
    """Send one text message; raises on any failure so the queue retries it."""
    if not settings.smtp_host:
        raise NoMailServer("ATTENT_SMTP_HOST is not set")
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = settings.smtp_from, to, subject
    message["Content-Language"] = language
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(body)
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=settings.smtp_timeout_seconds) as smtp:
        if settings.smtp_starttls:
            smtp.starttls(context=ssl.create_default_context())
        if settings.smtp_username and settings.smtp_password:
            smtp.login(settings.smtp_username, settings.smtp_password)
        smtp.send_message(message)
