"""Signing in to a mailbox's own SMTP server, to say in "Test connection" what fails before a reply does.

The codes are the IMAP client's (`attent.mail.imap`): dns, refused, timeout, tls, login, network, protocol.
"""

import smtplib
import socket
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


def check(settings: SmtpSettings, *, ssl_context: ssl.SSLContext | None = None) -> str | None:
    """None when the server lets us in, else the code of what failed."""
    try:
        with connect(settings, ssl_context=ssl_context) as smtp:
            smtp.noop()
    except socket.gaierror:
        return "dns"
    except ConnectionRefusedError:
        return "refused"
    except TimeoutError:
        return "timeout"
    except (ssl.SSLError, ssl.CertificateError, smtplib.SMTPNotSupportedError):
        return "tls"
    except smtplib.SMTPAuthenticationError:
        return "login"
    except smtplib.SMTPServerDisconnected:
        return "network"
    except smtplib.SMTPException:
        return "protocol"
    except OSError:
        return "network"
    return None
