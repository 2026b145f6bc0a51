"""Signing in to an SMTP server given as settings: a mailbox's own server, for its replies and for
"Test connection" (the server's `ATTENT_SMTP_*` connection is `channel.EmailChannel`'s)."""

import smtplib
import ssl
from dataclasses import dataclass, field


@dataclass(frozen=True)
class SmtpSettings:
    """Where a mailbox's replies leave from; `security` is tls, starttls or none."""

    host: str
    port: int
    security: str
    username: str | None
    password: str | None = field(repr=False)
    timeout: float = 30.0


def connect(settings: SmtpSettings, *, ssl_context: ssl.SSLContext | None = None) -> smtplib.SMTP:
    """An open, protected and signed-in SMTP connection; raises what smtplib and the socket raise."""
    context = ssl_context or ssl.create_default_context()
    smtp: smtplib.SMTP
    if settings.security == "tls":
        smtp = smtplib.SMTP_SSL(settings.host, settings.port, timeout=settings.timeout, context=context)
    else:
        smtp = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
    try:
        if settings.security == "starttls":
            smtp.starttls(context=context)
        if settings.username and settings.password:
            smtp.login(settings.username, settings.password)
    except BaseException:
        smtp.close()
        raise
    return smtp
